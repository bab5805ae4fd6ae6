#include "clicommand.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("finscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FINSCOPE_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QString error;
    const auto options = finscope::CliCommand::parseArguments(app.arguments().mid(1), &error);
    if (!options) {
        err << "finscope-cli: " << error << "\n\n" << finscope::CliCommand::usage();
        return finscope::ExitUsage;
    }
    if (options->command == QLatin1StringView("help")) {
        out << finscope::CliCommand::usage();
        return finscope::ExitOk;
    }
    finscope::CliCommand command(out, err);
    QObject::connect(&command, &finscope::CliCommand::done, &app, &QCoreApplication::exit);
    if (const auto exitCode = command.start(*options))
        return *exitCode;
    return app.exec();
}
