#include "mainwindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FinScope"));
    QApplication::setApplicationName(QStringLiteral("finscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("FinScope"));
    QApplication::setApplicationVersion(QStringLiteral(FINSCOPE_VERSION));
    finscope::MainWindow window;
    window.startDemo();
    window.show();
    return app.exec();
}
