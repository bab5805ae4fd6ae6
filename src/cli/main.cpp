#include "clicommand.h"
#include "exportcommand.h"

#include <QApplication>
#include <QCoreApplication>

#include <memory>

int main(int argc, char *argv[])
{
    // export --to svg|png draws the timeline, a QWidget: that needs a QApplication, on the
    // offscreen platform unless one is chosen, so it works with no display. Every other command
    // is a QCoreApplication.
    std::unique_ptr<QCoreApplication> app;
    if (finscope::ExportCommand::drawsTimeline(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
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
