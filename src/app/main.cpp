#include "engine/socket/nativesocket.h"
#include "mainwindow.h"
#include "scenariowindow.h"
#include "sessioncontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FinScope"));
    QApplication::setApplicationName(QStringLiteral("finscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("FinScope"));
    QApplication::setApplicationVersion(QStringLiteral(FINSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("FinScope: a workbench for TCP half-close. Opens ready to demo; session "
                       "files given here open read-only beside the live workbench."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("Session files to open read-only."),
                                 QStringLiteral("[FILE...]"));
    QCommandLineOption scenario(QStringLiteral("scenario"),
                                QStringLiteral("Open the Scenarios window on scenario ID "
                                               "(finscope-cli scenario list names them)."),
                                QStringLiteral("ID"));
    QCommandLineOption presenter(QStringLiteral("presenter"),
                                 QStringLiteral("Open the Scenarios window in presenter mode."));
    QCommandLineOption replay(QStringLiteral("replay"),
                              QStringLiteral("Open FILE in a replay window (it connects only when "
                                             "you press Start)."),
                              QStringLiteral("FILE"));
    parser.addOption(replay);
    parser.addOption(scenario);
    parser.addOption(presenter);
    parser.process(app);

    // Each connection holds a socket and an epoll set: the server pane needs more than the usual
    // soft limit of 1,024 open files for a few hundred clients.
    finscope::native::raiseOpenFileLimit();

    finscope::MainWindow window;
    window.startDemo();
    window.show();
    window.sessions()->offerRecovery();
    for (const QString &path : parser.positionalArguments())
        window.sessions()->openSession(path);
    if (parser.isSet(replay))
        window.sessions()->openReplay(parser.value(replay));
    if (parser.isSet(scenario) || parser.isSet(presenter)) {
        finscope::ScenarioWindow *scenarios = window.openScenarios();
        if (parser.isSet(scenario) && !scenarios->selectScenario(parser.value(scenario))) {
            QTextStream(stderr) << "finscope: no scenario '" << parser.value(scenario)
                                << "'; the Scenarios window shows the ones there are\n";
        }
        scenarios->setPresenting(parser.isSet(presenter));
    }
    return app.exec();
}
