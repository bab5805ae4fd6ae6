#include "clicommand.h"
#include "exportcommand.h"

#include <QApplication>
#include <QCoreApplication>

#include <memory>

namespace {

QtMessageHandler qtHandler = nullptr;

// The offscreen platform's start-up complains about a missing XDG_RUNTIME_DIR on servers and in
// containers; a command line owes its user one sentence on stderr, so that notice is dropped.
void quietStartup(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtFatalMsg && type != QtCriticalMsg
        && message.startsWith(QLatin1StringView("QStandardPaths: XDG_RUNTIME_DIR"))) {
        return;
    }
    qtHandler(type, context, message);
}

} // namespace

int main(int argc, char *argv[])
{
    // export --to svg|png draws the timeline, a QWidget: that needs a QApplication, on the
    // offscreen platform unless one is chosen, so it works with no display. Every other command
    // is a QCoreApplication.
    std::unique_ptr<QCoreApplication> app;
    if (finscope::ExportCommand::drawsTimeline(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        qtHandler = qInstallMessageHandler(quietStartup);
        app = std::make_unique<QApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("finscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FINSCOPE_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QString error;
    const auto options = finscope::CliCommand::parseArguments(app->arguments().mid(1), &error);
    if (!options) {
        err << "finscope-cli: " << error << "\n\n" << finscope::CliCommand::usage();
        return finscope::ExitUsage;
    }
    if (options->command == QLatin1StringView("help")) {
        out << finscope::CliCommand::usage();
        return finscope::ExitOk;
    }
    finscope::CliCommand command(out, err);
    QObject::connect(&command, &finscope::CliCommand::done, app.get(), &QCoreApplication::exit);
    if (const auto exitCode = command.start(*options))
        return *exitCode;
    return QCoreApplication::exec();
}
