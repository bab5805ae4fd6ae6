#include "exportcommand.h"

#include "clicommand.h"
#include "engine/core/outputfile.h"
#include "engine/session/pythonexport.h"
#include "engine/session/session.h"
#include "engine/session/sessiontextexport.h"
#include "render/timelineexport.h"
#include "render/timelinemodel.h"
#include "render/timelinepainter.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>

namespace finscope {

namespace {

constexpr int MinWidth = 200;
constexpr int MaxWidth = 10000;

bool isPicture(const QString &format)
{
    return format == QLatin1StringView("svg") || format == QLatin1StringView("png");
}

// "text, svg, png and python"
QString formatList()
{
    const QStringList all = ExportCommand::formats();
    return QStringLiteral("%1 and %2")
        .arg(all.mid(0, all.size() - 1).join(QStringLiteral(", ")), all.last());
}

// Draws the session's timeline as the read-only window's File > Export Timeline does (the
// application's palette and font) and writes it as SVG or PNG to options.out, or to stdout for
// "-".
int writeTimeline(const Session &session, const ExportOptions &options, QTextStream &err)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        err << "finscope-cli: cannot draw the timeline without a QGuiApplication" << Qt::endl;
        return ExitInvalid;
    }
    const TimelineModel model(&session);
    const TimelinePainter timeline(
        model, TimelineStyle(QGuiApplication::palette()), QGuiApplication::font());
    const bool svg = options.format == QLatin1StringView("svg");
    const int width = options.width.value_or(TimelineExport::DefaultWidth);
    const QString title = QStringLiteral("%1 — FinScope").arg(QFileInfo(options.file).fileName());
    QString error;
    const auto data = svg ? TimelineExport::svg(timeline, title, &error, width)
                          : TimelineExport::png(timeline, &error, width);
    if (!data || !OutputFile::write(options.out, *data, &error)) {
        err << "finscope-cli: " << error << Qt::endl;
        return ExitInvalid;
    }
    return ExitOk;
}

} // namespace

QStringList ExportCommand::formats()
{
    return {QStringLiteral("text"),
            QStringLiteral("svg"),
            QStringLiteral("png"),
            QStringLiteral("python")};
}

bool ExportCommand::drawsTimeline(const QStringList &arguments)
{
    if (arguments.value(0) != QLatin1StringView("export"))
        return false;
    // The same parse the command runs: what it will draw is what decides. Bad arguments are a
    // usage error, which needs no QGuiApplication.
    QString error;
    const auto options = ExportOptions::parse(arguments.mid(1), &error);
    return options && isPicture(options->format);
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
                             .arg(formatList(), value);
                return std::nullopt;
            }
            options.format = value;
        } else if (arg == QLatin1StringView("--width")) {
            bool ok = false;
            const int width = value.toInt(&ok);
            if (!ok || width < MinWidth || width > MaxWidth) {
                *error = QStringLiteral("--width: expected a whole number from %1 to %2, got '%3'")
                             .arg(MinWidth)
                             .arg(MaxWidth)
                             .arg(value);
                return std::nullopt;
            }
            options.width = width;
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
    if (options.width && !isPicture(options.format)) {
        *error = QStringLiteral("--width is for --to svg and --to png");
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
    if (isPicture(options.format))
        return writeTimeline(*session, options, err);
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
    if (!OutputFile::write(options.out, text.toUtf8(), &error)) {
        err << "finscope-cli: " << error << Qt::endl;
        return ExitInvalid;
    }
    if (options.format == QLatin1StringView("python") && QFileInfo(options.out).isFile())
        QFile::setPermissions(options.out,
                              QFile::permissions(options.out) | QFileDevice::ExeOwner
                                  | QFileDevice::ExeUser);
    return ExitOk;
}

} // namespace finscope
