#include "mainwindow.h"

#include "autosave.h"
#include "clientpane.h"
#include "engine/run/workbench.h"
#include "engine/scenarios/scenariocatalog.h"
#include "scenariowindow.h"
#include "serverpane.h"
#include "sessioncontroller.h"
#include "sessionview.h"
#include "timelinewidget.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHostAddress>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>

namespace finscope {

MainWindow::MainWindow(QWidget *parent, const QString &autosaveDirectory)
    : QMainWindow(parent)
    , m_workbench(new Workbench(this))
    , m_client(new ClientPane(m_workbench, this))
    , m_server(new ServerPane(m_workbench, this))
    , m_view(new SessionView(this))
    , m_sessions(new SessionController(m_workbench->recorder(),
                                       this,
                                       autosaveDirectory.isEmpty() ? Autosave::defaultDirectory()
                                                                   : autosaveDirectory,
                                       this))
    , m_vertical(new QSplitter(Qt::Vertical, this))
    , m_panes(new QSplitter(Qt::Horizontal, this))
{
    setWindowTitle(QStringLiteral("FinScope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/finscope.svg")));
    m_workbench->recorder()->setTool(
        QStringLiteral("finscope %1").arg(QCoreApplication::applicationVersion()).trimmed());

    m_view->setSession(&m_workbench->recorder()->session());
    m_view->showHint(tr("Click Connect in the client pane: the server already listens. Then send "
                        "a line and press SHUT_WR to watch the half-close."));

    m_panes->addWidget(m_client);
    m_panes->addWidget(m_server);
    m_vertical->addWidget(m_panes);
    m_vertical->addWidget(m_view);
    m_vertical->setStretchFactor(0, 4);
    m_vertical->setStretchFactor(1, 6);
    resize(1400, 960);
    m_vertical->setSizes({400, 510});
    m_view->splitter()->setSizes({330, 180});
    setCentralWidget(m_vertical);
    createMenus();

    connect(m_workbench->recorder(), &Recorder::eventAdded, m_view, &SessionView::scheduleRefresh);
    connect(m_client, &ClientPane::hint, this, &MainWindow::showHint);
    connect(m_server, &ServerPane::hint, this, &MainWindow::showHint);
    restoreSettings();
}

MainWindow::~MainWindow()
{
    delete m_scenarios;
    // Destroyed without a close (tests, or quit() from elsewhere) is still a clean end.
    m_sessions->autosave()->discard();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Save Session"), QKeySequence::Save, m_sessions, &SessionController::save);
    file->addAction(
        tr("Save Session &As…"), QKeySequence::SaveAs, m_sessions, &SessionController::saveAs);
    file->addSeparator();
    file->addAction(tr("&Open Session…"), QKeySequence::Open, m_sessions, &SessionController::open);
    file->addAction(tr("&Replay Session…"),
                    QKeySequence(Qt::CTRL | Qt::Key_R),
                    m_sessions,
                    &SessionController::replay);
    QMenu *recent = file->addMenu(tr("Open &Recent"));
    connect(recent, &QMenu::aboutToShow, m_sessions, [this, recent] {
        m_sessions->fillRecentMenu(recent);
    });
    file->addSeparator();
    file->addAction(
        tr("Export Timeline as S&VG…"), m_sessions, [this] { m_sessions->exportSvg(m_view); });
    file->addAction(
        tr("Export Timeline as &PNG…"), m_sessions, [this] { m_sessions->exportPng(m_view); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(tr("&Connect client"),
                          QKeySequence(Qt::CTRL | Qt::Key_K),
                          m_client,
                          &ClientPane::connectToTarget);
    connection->addAction(tr("&Listen / stop server"),
                          QKeySequence(Qt::CTRL | Qt::Key_L),
                          m_server,
                          &ServerPane::toggleListening);
    connection->addSeparator();
    auto *help = connection->addAction(tr("Send, SHUT_WR, SHUT_RD, SHUT_RDWR, Close, Abort: "
                                          "Ctrl+Return, Ctrl+Shift+W, R, B, C, A in a pane"));
    help->setEnabled(false);

    TimelineWidget *timeline = m_view->timeline();
    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_view->addZoomActions(view);
    QAction *follow = view->addAction(tr("Follow &live"));
    follow->setCheckable(true);
    follow->setChecked(timeline->followLive());
    follow->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    connect(follow, &QAction::toggled, timeline, &TimelineWidget::setFollowLive);
    connect(timeline, &TimelineWidget::followLiveChanged, follow, &QAction::setChecked);

    QMenu *scenarios = menuBar()->addMenu(tr("&Scenarios"));
    scenarios->addAction(tr("Scenarios &window…"),
                         QKeySequence(Qt::CTRL | Qt::Key_E),
                         this,
                         [this] { openScenarios(); });
    scenarios->addSeparator();
    for (const Scenario &scenario : ScenarioCatalog::all()) {
        const QString id = scenario.id;
        QAction *a = scenarios->addAction(scenario.title, this, [this, id] { openScenarios(id); });
        a->setToolTip(id);
    }

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About FinScope"), this, [this] {
        QMessageBox::about(this,
                           tr("About FinScope"),
                           tr("<b>FinScope</b> %1<br>A workbench for TCP half-close: real sockets, "
                              "every FIN, EOF and RST on one timeline with the kernel's TCP state.")
                               .arg(QApplication::applicationVersion()));
    });
}

bool MainWindow::startDemo()
{
    if (!m_server->startListening())
        return false;
    // Point the client at the demo server unless the last session targeted another machine.
    const QHostAddress last(m_client->host());
    if (m_client->host() == QLatin1StringView("localhost") || last.isNull() || last.isLoopback())
        m_client->setTarget(QStringLiteral("127.0.0.1"), m_workbench->listenPort());
    showHint(tr("The server listens on %1 and the client targets it: click Connect, type a "
                "line, Send, then SHUT_WR.")
                 .arg(m_workbench->listenAddress()));
    return true;
}

ScenarioWindow *MainWindow::openScenarios(const QString &id)
{
    if (!m_scenarios) {
        // A top-level window of its own, beside the workbench (a child would stay above it).
        m_scenarios = new ScenarioWindow;
        connect(
            m_scenarios, &ScenarioWindow::saveRequested, m_sessions, &SessionController::saveCopy);
        connect(m_scenarios,
                &ScenarioWindow::exportRequested,
                m_sessions,
                &SessionController::exportView);
    }
    if (!id.isEmpty())
        m_scenarios->selectScenario(id);
    m_scenarios->show();
    m_scenarios->raise();
    m_scenarios->activateWindow();
    return m_scenarios;
}

TimelineWidget *MainWindow::timeline() const
{
    return m_view->timeline();
}

EventTableModel *MainWindow::eventModel() const
{
    return m_view->eventModel();
}

QTableView *MainWindow::eventTable() const
{
    return m_view->eventTable();
}

QString MainWindow::hintText() const
{
    return m_view->hintText();
}

void MainWindow::showHint(const QString &text)
{
    m_view->showHint(text);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_vertical->restoreState(settings.value(QStringLiteral("window/split")).toByteArray());
    m_panes->restoreState(settings.value(QStringLiteral("window/panes")).toByteArray());
    m_view->splitter()->restoreState(settings.value(QStringLiteral("window/view")).toByteArray());
    const QString host = settings.value(QStringLiteral("client/host")).toString();
    const int port = settings.value(QStringLiteral("client/port"), 0).toInt();
    if (!host.isEmpty() && port > 0)
        m_client->setTarget(host, quint16(port));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/split"), m_vertical->saveState());
    settings.setValue(QStringLiteral("window/panes"), m_panes->saveState());
    settings.setValue(QStringLiteral("window/view"), m_view->splitter()->saveState());
    settings.setValue(QStringLiteral("client/host"), m_client->host());
    settings.setValue(QStringLiteral("client/port"), m_client->port());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_sessions->confirmClose()) {
        event->ignore();
        return;
    }
    saveSettings();
    m_sessions->finish();
    if (m_scenarios)
        m_scenarios->close();
    event->accept();
}

} // namespace finscope
