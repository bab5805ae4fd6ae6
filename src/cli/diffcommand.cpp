#include "diffcommand.h"

#include "clicommand.h"
#include "commandparser.h"
#include "compareoptions.h"
#include "engine/core/terminaltext.h"
#include "engine/session/session.h"

#include <QFileInfo>

namespace finscope {

std::optional<DiffOptions>
DiffCommand::parse(CommandParser &parser, const QStringList &args, QString *error)
{
    const CompareOptions compare;
    parser.setCommand(QStringLiteral("diff"), QStringLiteral("Compares two saved sessions."));
    parser.setDescription(QStringLiteral("As a replay is compared with its recording: exit 0 "
                                         "equivalent, 1 different,\n3 a file that cannot be "
                                         "read."));
    parser.addArgument(
        QStringLiteral("A.json"), QStringLiteral("The first session."), QStringLiteral("A.json"));
    parser.addArgument(
        QStringLiteral("B.json"), QStringLiteral("The second session."), QStringLiteral("B.json"));
    compare.addTo(parser);
    if (!parser.parse(args, error))
        return std::nullopt;
    DiffOptions options;
    options.files = parser.positionalArguments();
    if (options.files.size() != 2) {
        *error = QStringLiteral("diff needs two session files");
        return std::nullopt;
    }
    const auto how = compare.read(parser, error);
    if (!how)
        return std::nullopt;
    options.compare = *how;
    return options;
}

int DiffCommand::run(const DiffOptions &options, QTextStream &out, QTextStream &err)
{
    const QStringList &args = options.files;
    QList<Session> sessions;
    for (const QString &path : args) {
        QString error;
        auto session = Session::load(path, &error);
        if (!session) {
            err << "finscope-cli: " << TerminalText::escaped(error) << Qt::endl;
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
                                       QStringLiteral("'%1'").arg(second),
                                       std::nullopt,
                                       options.compare);
    if (comparison.equivalent()) {
        out << (options.compare.payload
                    ? "equivalent: the same teardown, TCP states and bytes on every connection end"
                    : "equivalent: the same teardown, TCP states and byte counts on every "
                      "connection end")
            << Qt::endl;
    } else {
        for (const SessionComparison::Difference &d : comparison.differences())
            out << TerminalText::escaped(d.text) << Qt::endl;
    }
    for (const SessionComparison::Difference &d : comparison.races())
        out << "race, not a difference: " << TerminalText::escaped(d.text) << Qt::endl;
    return comparison.equivalent() ? ExitOk : ExitFailed;
}

} // namespace finscope
