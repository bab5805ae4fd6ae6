#include "clicommand.h"
#include "commandline.h"
#include "engine/socket/nativesocket.h"
#include "exportcommand.h"
#include "standardoutput.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

#include <unistd.h>

namespace {

QtMessageHandler qtHandler = nullptr;

// The offscreen platform's start-up complains about XDG_RUNTIME_DIR (missing on servers and in
// containers, or with permissions it dislikes); a command line owes its user one sentence on
// stderr, so those notices are dropped.
void quietStartup(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtFatalMsg && type != QtCriticalMsg
        && message.startsWith(QLatin1StringView("QStandardPaths:"))) {
        return;
    }
    qtHandler(type, context, message);
}

} // namespace

int main(int argc, char *argv[])
{
    // The arguments as given: a QGuiApplication takes some for itself (-reverse...), and every
    // command must see the same ones.
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    // export --to svg|png draws the timeline with fonts: that needs a QGuiApplication. It shows
    // nothing, so always on the offscreen platform: it works with no display, and a platform
    // chosen for other programs (xcb without a display) cannot abort it. Every other command is
    // a QCoreApplication.
    std::unique_ptr<QCoreApplication> app;
    if (finscope::ExportCommand::drawsTimeline(arguments)) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        qtHandler = qInstallMessageHandler(quietStartup);
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("finscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FINSCOPE_VERSION));

    finscope::StandardOutput standardOutput(STDOUT_FILENO);
    finscope::StandardOutput standardError(STDERR_FILENO);
    QTextStream out(&standardOutput);
    QTextStream err(&standardError);
    QString error;
    const auto options = finscope::CommandLine::parse(arguments, &error);
    if (!options) {
        err << "finscope-cli: " << error << "\n";
        return finscope::ExitUsage;
    }
    if (options->command == QLatin1StringView("help")) {
        out << options->text;
        return finscope::ExitOk;
    }
    // Each connection holds a socket and an epoll set: a server for thousands of clients needs
    // more than the usual soft limit of 1,024 open files.
    finscope::native::raiseOpenFileLimit();
    finscope::CliCommand command(out, err);
    QObject::connect(&command, &finscope::CliCommand::done, app.get(), &QCoreApplication::exit);
    if (const auto exitCode = command.start(*options))
        return *exitCode;
    return QCoreApplication::exec();
}
