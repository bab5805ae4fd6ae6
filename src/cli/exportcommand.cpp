#include "exportcommand.h"

#include "clicommand.h"
#include "pythonexport.h"
#include "session.h"
#include "sessiontextexport.h"

#include <QFile>
#include <QSaveFile>

namespace finscope {

QStringList ExportCommand::formats()
{
    return {QStringLiteral("text"), QStringLiteral("python")};
}

std::optional<ExportOptions> ExportOptions::parse(const QStringList &args, QString *error)
{
    ExportOptions options;
    QStringList positional;
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString arg = args.at(i);
        if (!arg.startsWith(QLatin1StringView("--"))) {
            positional.append(arg);
            continue;
        }
        QString value;
        if (const qsizetype eq = arg.indexOf(u'='); eq > 0) {
            value = arg.mid(eq + 1);
            arg = arg.left(eq);
        } else if (i + 1 < args.size()) {
            value = args.at(++i);
        } else {
            *error = QStringLiteral("%1 needs a value").arg(arg);
            return std::nullopt;
        }
        if (arg == QLatin1StringView("--to")) {
            if (!ExportCommand::formats().contains(value)) {
                *error = QStringLiteral("--to: this finscope-cli exports %1, not '%2'")
                             .arg(ExportCommand::formats().join(QStringLiteral(" and ")), value);
                return std::nullopt;
            }
            options.format = value;
        } else if (arg == QLatin1StringView("--side")) {
            options.side = sideFromName(value);
            if (!options.side) {
                *error = QStringLiteral("--side: expected client or server, got '%1'").arg(value);
                return std::nullopt;
            }
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(arg);
            return std::nullopt;
        }
    }
    if (options.format.isEmpty()) {
        *error = QStringLiteral("export needs --to %1")
                     .arg(ExportCommand::formats().join(QStringLiteral("|")));
        return std::nullopt;
    }
    if (positional.size() != 2) {
        *error = QStringLiteral("export needs FILE and OUT (OUT may be - for standard output)");
        return std::nullopt;
    }
    if (options.side && options.format != QLatin1StringView("python")) {
        *error = QStringLiteral("--side is for --to python");
        return std::nullopt;
    }
    options.file = positional.at(0);
    options.out = positional.at(1);
    return options;
}

int ExportCommand::run(const ExportOptions &options, QTextStream &out, QTextStream &err)
{
    QString error;
    const auto session = Session::load(options.file, &error);
    if (!session) {
        err << "finscope-cli: " << error << Qt::endl;
        return ExitInvalid;
    }
    QString text;
    if (options.format == QLatin1StringView("python")) {
        // Without --side: the client when the session has client actions, else the server.
        Side side = Side::Server;
        for (const RecordedAction &a : session->actions) {
            if (a.side == Side::Client)
                side = Side::Client;
        }
        const auto script = PythonExport::script(*session, options.side.value_or(side), &error);
        if (!script) {
            err << "finscope-cli: cannot export '" << options.file << "': " << error << Qt::endl;
            return ExitInvalid;
        }
        text = *script;
    } else {
        text = SessionTextExport::text(*session);
    }
    if (options.out == QLatin1StringView("-")) {
        out << text;
        out.flush();
        return ExitOk;
    }
    QSaveFile file(options.out);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        err << "finscope-cli: cannot write '" << options.out << "': " << file.errorString()
            << Qt::endl;
        return ExitInvalid;
    }
    if (options.format == QLatin1StringView("python"))
        QFile::setPermissions(options.out,
                              QFile::permissions(options.out) | QFileDevice::ExeOwner
                                  | QFileDevice::ExeUser);
    return ExitOk;
}

} // namespace finscope
