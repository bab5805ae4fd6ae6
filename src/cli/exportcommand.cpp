#include "exportcommand.h"

#include "clicommand.h"
#include "commandparser.h"
#include "engine/core/outputfile.h"
#include "engine/core/terminaltext.h"
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
    CommandParser parser;
    const auto options = ExportOptions::parse(parser, arguments.mid(1), &error);
    return options && isPicture(options->format);
}

std::optional<ExportOptions>
ExportOptions::parse(CommandParser &parser, const QStringList &args, QString *error)
{
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("text: the lines show prints; svg, png: the whole "
                                               "timeline as the app draws it, with no display "
                                               "needed; python: a Python 3 socket script that "
                                               "does what the recorded end did."),
                                ExportCommand::formats().join(u'|'));
    const QCommandLineOption side(QStringLiteral("side"),
                                  QStringLiteral("The end a python script plays (default: the "
                                                 "client when it has actions)."),
                                  QStringLiteral("client|server"));
    const QCommandLineOption widthOption(QStringLiteral("width"),
                                         QStringLiteral("The picture's width in pixels, %1 to %2 "
                                                        "(default %3).")
                                             .arg(MinWidth)
                                             .arg(MaxWidth)
                                             .arg(TimelineExport::DefaultWidth),
                                         QStringLiteral("N"));
    parser.setCommand(QStringLiteral("export"),
                      QStringLiteral("Writes a saved session in another form."));
    parser.addArgument(
        QStringLiteral("FILE"), QStringLiteral("The recorded session."), QStringLiteral("FILE"));
    parser.addArgument(QStringLiteral("OUT"),
                       QStringLiteral("Where to write; - is standard output."),
                       QStringLiteral("OUT"));
    parser.addOption(to);
    parser.addOption(side);
    parser.addOption(widthOption);
    if (!parser.parse(args, error))
        return std::nullopt;

    ExportOptions options;
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(to)) {
        const QString value = parser.value(to);
        if (!ExportCommand::formats().contains(value)) {
            *error = QStringLiteral("--to: this finscope-cli exports %1, not '%2'")
                         .arg(formatList(), value);
            return std::nullopt;
        }
        options.format = value;
    }
    if (parser.isSet(widthOption)) {
        const auto width = parser.intValue(widthOption, MinWidth, MaxWidth, error);
        if (!width)
            return std::nullopt;
        options.width = *width;
    }
    if (parser.isSet(side)) {
        options.side = sideFromName(parser.value(side));
        if (!options.side) {
            *error = QStringLiteral("--side: expected client or server, got '%1'")
                         .arg(parser.value(side));
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
        err << "finscope-cli: " << TerminalText::escaped(error) << Qt::endl;
        return ExitInvalid;
    }
    if (isPicture(options.format))
        return writeTimeline(*session, options, err);
    QString text;
    if (options.format == QLatin1StringView("python")) {
        // Without --side: the client when the session has client actions, else the server.
        const Side side = session->hasActions(Side::Client) ? Side::Client : Side::Server;
        const auto script = PythonExport::script(*session, options.side.value_or(side), &error);
        if (!script) {
            err << "finscope-cli: cannot export '" << options.file
                << "': " << TerminalText::escaped(error) << Qt::endl;
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
