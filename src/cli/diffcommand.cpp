#include "diffcommand.h"

#include "clicommand.h"
#include "commandparser.h"
#include "engine/session/session.h"
#include "engine/session/sessioncomparison.h"

#include <QFileInfo>

namespace finscope {

std::optional<QStringList>
DiffCommand::parse(CommandParser &parser, const QStringList &args, QString *error)
{
    parser.setCommand(QStringLiteral("diff"), QStringLiteral("Compares two saved sessions."));
    parser.setDescription(QStringLiteral("As a replay is compared with its recording: exit 0 "
                                         "equivalent, 1 different,\n3 a file that cannot be "
                                         "read."));
    parser.addArgument(
        QStringLiteral("A.json"), QStringLiteral("The first session."), QStringLiteral("A.json"));
    parser.addArgument(
        QStringLiteral("B.json"), QStringLiteral("The second session."), QStringLiteral("B.json"));
    if (!parser.parse(args, error))
        return std::nullopt;
    const QStringList files = parser.positionalArguments();
    if (files.size() != 2) {
        *error = QStringLiteral("diff needs two session files");
        return std::nullopt;
    }
    return files;
}

int DiffCommand::run(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QList<Session> sessions;
    for (const QString &path : args) {
        QString error;
        auto session = Session::load(path, &error);
        if (!session) {
            err << "finscope-cli: " << error << Qt::endl;
            return ExitInvalid;
        }
        sessions.append(std::move(*session));
    }
    // Short names read better in the differences; the full paths only when those are ambiguous.
    QString first = QFileInfo(args.at(0)).fileName();
    QString second = QFileInfo(args.at(1)).fileName();
    if (first == second) {
        first = args.at(0);
        second = args.at(1);
    }
    const SessionComparison comparison(sessions.at(0),
                                       sessions.at(1),
                                       QStringLiteral("'%1'").arg(first),
                                       QStringLiteral("'%1'").arg(second));
    if (comparison.equivalent()) {
        out << "equivalent: the same teardown, TCP states and byte counts on every connection "
               "end"
            << Qt::endl;
        return ExitOk;
    }
    out << comparison.report() << Qt::endl;
    return ExitFailed;
}

} // namespace finscope
