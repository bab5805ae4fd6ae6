#include "mainwindow.h"

#include "clientpane.h"
#include "eventtablemodel.h"
#include "hints.h"
#include "serverpane.h"
#include "timelinewidget.h"
#include "workbench.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QHeaderView>
#include <QHostAddress>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace finscope {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_workbench(new Workbench(this))
    , m_client(new ClientPane(m_workbench, this))
    , m_server(new ServerPane(m_workbench, this))
    , m_timeline(new TimelineWidget(this))
    , m_model(new EventTableModel(this))
    , m_table(new QTableView(this))
    , m_hint(new QLabel(this))
    , m_vertical(new QSplitter(Qt::Vertical, this))
    , m_panes(new QSplitter(Qt::Horizontal, this))
    , m_bottom(new QSplitter(Qt::Horizontal, this))
{
    setWindowTitle(QStringLiteral("FinScope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/finscope.png")));

    m_timeline->setStore(&m_workbench->events());
    m_model->setStore(&m_workbench->events());
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(EventTableModel::TimeColumn,
                            m_table->fontMetrics().horizontalAdvance(QStringLiteral("0000.000000"))
                                + 16);
    m_table->setColumnWidth(
        EventTableModel::KindColumn,
        m_table->fontMetrics().horizontalAdvance(QStringLiteral("shutdown rdwr")) + 16);
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint->setMargin(8);
    m_hint->setText(tr("Click Connect in the client pane: the server already listens. Then send "
                       "a line and press SHUT_WR to watch the half-close."));

    m_panes->addWidget(m_client);
    m_panes->addWidget(m_server);
    auto *timelineBox = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    auto *tools = new QToolBar(tr("Timeline"), timelineBox);
    timelineLayout->addWidget(tools);
    timelineLayout->addWidget(m_timeline, 1);
    tools->addAction(tr("Zoom in"), m_timeline, &TimelineWidget::zoomIn);
    tools->addAction(tr("Zoom out"), m_timeline, &TimelineWidget::zoomOut);
    tools->addAction(tr("Fit all"), m_timeline, &TimelineWidget::fitAll);
    auto *follow = new QCheckBox(tr("Follow live"), tools);
    follow->setChecked(m_timeline->followLive());
    tools->addWidget(follow);
    connect(follow, &QCheckBox::toggled, m_timeline, &TimelineWidget::setFollowLive);
    connect(m_timeline, &TimelineWidget::followLiveChanged, follow, &QCheckBox::setChecked);

    m_bottom->addWidget(m_table);
    m_bottom->addWidget(m_hint);
    m_bottom->setStretchFactor(0, 3);
    m_bottom->setStretchFactor(1, 2);
    m_vertical->addWidget(m_panes);
    m_vertical->addWidget(timelineBox);
    m_vertical->addWidget(m_bottom);
    m_vertical->setStretchFactor(0, 4);
    m_vertical->setStretchFactor(1, 4);
    m_vertical->setStretchFactor(2, 2);
    resize(1400, 960);
    m_vertical->setSizes({400, 330, 180});
    setCentralWidget(m_vertical);
    createMenus();

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(30);
    connect(&m_refresh, &QTimer::timeout, this, &MainWindow::refreshViews);
    connect(m_workbench->recorder(), &Recorder::eventAdded, this, &MainWindow::scheduleRefresh);
    connect(m_client, &ClientPane::hint, this, &MainWindow::showHint);
    connect(m_server, &ServerPane::hint, this, &MainWindow::showHint);
    connect(m_workbench, &Workbench::clientAdded, this, [this](Endpoint *ep) {
        connect(ep, &Endpoint::connected, this, [this, ep] { linkPeers(ep); });
    });
    connect(m_workbench, &Workbench::serverConnectionAdded, this, &MainWindow::linkPeers);

    connect(m_timeline, &TimelineWidget::eventClicked, this, [this](qsizetype index) {
        m_table->selectRow(int(index));
        m_table->scrollTo(m_model->index(int(index), 0));
    });
    connect(m_timeline, &TimelineWidget::eventHovered, this, [this](qsizetype index) {
        if (index >= 0)
            showHint(explainEvent(m_workbench->events().at(index), m_workbench->events()));
    });
    connect(m_table->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                m_timeline->setSelectedEvent(current.row());
                showHint(
                    explainEvent(m_workbench->events().at(current.row()), m_workbench->events()));
            });
    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
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

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, m_timeline, &TimelineWidget::zoomIn);
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, m_timeline, &TimelineWidget::zoomOut);
    view->addAction(
        tr("&Fit all"), QKeySequence(Qt::CTRL | Qt::Key_0), m_timeline, &TimelineWidget::fitAll);
    QAction *follow = view->addAction(tr("Follow &live"));
    follow->setCheckable(true);
    follow->setChecked(m_timeline->followLive());
    follow->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    connect(follow, &QAction::toggled, m_timeline, &TimelineWidget::setFollowLive);
    connect(m_timeline, &TimelineWidget::followLiveChanged, follow, &QAction::setChecked);

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

QString MainWindow::hintText() const
{
    return m_hint->text();
}

void MainWindow::showHint(const QString &text)
{
    m_hint->setText(text);
}

void MainWindow::scheduleRefresh()
{
    if (!m_refresh.isActive())
        m_refresh.start();
}

void MainWindow::refreshViews()
{
    m_timeline->refresh();
    const bool atBottom
        = m_table->verticalScrollBar()->value() == m_table->verticalScrollBar()->maximum();
    m_model->refresh();
    if (atBottom && m_timeline->followLive())
        m_table->scrollToBottom();
}

void MainWindow::linkPeers(Endpoint *endpoint)
{
    if (Endpoint *peer = m_workbench->peerOf(endpoint)) {
        m_timeline->model()->setPeers(
            endpoint->side(), endpoint->conn(), peer->side(), peer->conn());
        m_timeline->update();
    }
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_vertical->restoreState(settings.value(QStringLiteral("window/vertical")).toByteArray());
    m_panes->restoreState(settings.value(QStringLiteral("window/panes")).toByteArray());
    m_bottom->restoreState(settings.value(QStringLiteral("window/bottom")).toByteArray());
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
    settings.setValue(QStringLiteral("window/vertical"), m_vertical->saveState());
    settings.setValue(QStringLiteral("window/panes"), m_panes->saveState());
    settings.setValue(QStringLiteral("window/bottom"), m_bottom->saveState());
    settings.setValue(QStringLiteral("client/host"), m_client->host());
    settings.setValue(QStringLiteral("client/port"), m_client->port());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace finscope
