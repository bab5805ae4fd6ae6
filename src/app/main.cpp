#include "mainwindow.h"
#include "sessioncontroller.h"

#include <QApplication>
#include <QCommandLineParser>

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
    parser.process(app);

    finscope::MainWindow window;
    window.startDemo();
    window.show();
    window.sessions()->offerRecovery();
    for (const QString &path : parser.positionalArguments())
        window.sessions()->openSession(path);
    return app.exec();
}
