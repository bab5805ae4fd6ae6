// The workbench window driven through its real widgets (QT_QPA_PLATFORM=offscreen), on real
// loopback sockets at a port the OS picks.

#include "clientpane.h"
#include "connectionlistmodel.h"
#include "connectionpanel.h"
#include "connectionrecord.h"
#include "engine/run/workbench.h"
#include "engine/socket/nativesocket.h"
#include "eventtablemodel.h"
#include "mainwindow.h"
#include "serverpane.h"
#include "timelinewidget.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace finscope;

namespace {

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *w = parent ? parent->findChild<T *>(QLatin1StringView(name)) : nullptr;
    if (!w)
        qWarning("no %s named %s", T::staticMetaObject.className(), name);
    return w;
}

QString badge(ConnectionPanel *panel, const char *name)
{
    return child<QLabel>(panel, name)->text();
}

void click(QWidget *parent, const char *name)
{
    auto *button = child<QPushButton>(parent, name);
    QVERIFY(button);
    QVERIFY2(button->isEnabled(), qPrintable(button->toolTip()));
    QTest::mouseClick(button, Qt::LeftButton);
}

void type(QWidget *parent, const QString &text)
{
    auto *edit = child<QLineEdit>(parent, "sendEdit");
    edit->clear();
    QTest::keyClicks(edit, text);
}

// The kinds of one end's events, in order, without state and queue samples.
QList<EventKind> kindsOf(const EventStore &store, Side side, quint32 conn)
{
    QList<EventKind> out;
    for (const Event &e : store.events()) {
        if (e.side == side && e.conn == conn && e.kind != EventKind::State
            && e.kind != EventKind::Queue)
            out.append(e.kind);
    }
    return out;
}

// n clients connected to the window's server, each accepted into a server connection. In batches
// smaller than the listen backlog, so no SYN waits for a retransmission.
std::vector<std::unique_ptr<QTcpSocket>> connectClients(MainWindow &w, int n)
{
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    const qsizetype before = w.workbench()->serverConnections().size();
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, w.workbench()->listenPort());
        if ((i + 1) % 25 == 0 || i + 1 == n) {
            const qsizetype want = before + i + 1;
            if (!QTest::qWaitFor([&] { return w.workbench()->serverConnections().size() == want; },
                                 10000)) {
                qWarning("only %lld of %d accepted",
                         qlonglong(w.workbench()->serverConnections().size() - before),
                         i + 1);
                break;
            }
        }
    }
    return clients;
}

QString received(ConnectionPanel *panel)
{
    return child<QPlainTextEdit>(panel, "receivedText")->toPlainText();
}

} // namespace

class TestApp : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void opensReadyToDemo();
    void halfCloseRequestAndReply();
    void abortShowsRstOnThePeerLane();
    void closeWithUnreadDataAsksFirst();
    void tableAndTimelineSelectEachOther();
    void nonLoopbackBindWarns();
    void serverPaneIPv6Only_data();
    void serverPaneIPv6Only();
    void sendEnabledOnlyWhenTheEngineTakesIt_data();
    void sendEnabledOnlyWhenTheEngineTakesIt();
    void manyConnectionsFewPanels();
    void switchingBackShowsReceivedBytes();
    void responderKeepsAnsweringWhileAnotherIsShown();
    void serverWideResponderAnswersNewConnections();
    void finishedConnectionsFolded();
    void closeOnEofAnswersThenCloses();

private:
    std::unique_ptr<MainWindow> m_window;
};

void TestApp::init()
{
    QCoreApplication::setOrganizationName(QStringLiteral("FinScopeTest"));
    // Settings and the autosave go to ~/.qttest, not the user's own.
    QStandardPaths::setTestModeEnabled(true);
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->startDemo());
    m_window->show();
}

void TestApp::opensReadyToDemo()
{
    QCOMPARE(m_window->windowTitle(), QStringLiteral("FinScope"));
    QVERIFY(m_window->workbench()->isListening());
    QVERIFY(m_window->workbench()->listenAddress().startsWith(QLatin1StringView("127.0.0.1:")));
    QCOMPARE(m_window->clientPane()->host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(m_window->clientPane()->port(), m_window->workbench()->listenPort());
}

void TestApp::halfCloseRequestAndReply()
{
    MainWindow &w = *m_window;
    click(w.clientPane(), "connectButton");
    QTRY_VERIFY(w.serverPane()->panel(1));
    ConnectionPanel *client = w.clientPane()->currentPanel();
    ConnectionPanel *server = w.serverPane()->panel(1);
    QTRY_COMPARE(badge(client, "stateBadge"), QStringLiteral("ESTABLISHED"));

    type(client, QStringLiteral("GET /report\\n"));
    click(client, "sendButton");
    click(client, "shutWrButton");
    // The server reads the request and the client's FIN: CLOSE_WAIT, peer FIN read.
    QTRY_VERIFY(badge(server, "viewBadge").contains(QLatin1StringView("peer FIN read")));
    QTRY_COMPARE(badge(server, "stateBadge"), QStringLiteral("CLOSE_WAIT"));
    QTRY_COMPARE(child<QPlainTextEdit>(server, "receivedText")->toPlainText(),
                 QStringLiteral("GET /report\n"));
    QTRY_COMPARE(badge(client, "stateBadge"), QStringLiteral("FIN_WAIT2"));
    QVERIFY(badge(client, "viewBadge").contains(QLatin1StringView("write side closed")));
    // After SHUT_WR the client cannot send, and the button says why.
    auto *send = child<QPushButton>(client, "sendButton");
    QVERIFY(!send->isEnabled());
    QVERIFY(send->toolTip().contains(QLatin1StringView("SHUT_WR")));

    // The half-closed client still receives the reply; the server's close is its EOF.
    type(server, QStringLiteral("here it is"));
    click(server, "sendButton");
    QTRY_COMPARE(child<QPlainTextEdit>(client, "receivedText")->toPlainText(),
                 QStringLiteral("here it is"));
    click(server, "closeButton");
    QTRY_VERIFY(badge(client, "viewBadge").contains(QLatin1StringView("peer FIN read")));
    click(client, "closeButton");
    // The client's FIN went first, so it holds the TIME_WAIT entry (found in the kernel's table).
    QTRY_COMPARE(badge(client, "stateBadge"), QStringLiteral("TIME_WAIT"));

    const EventStore &store = w.workbench()->events();
    QCOMPARE(kindsOf(store, Side::Client, 1),
             (QList<EventKind>{EventKind::Connect,
                               EventKind::Send,
                               EventKind::Shutdown,
                               EventKind::Recv,
                               EventKind::Eof,
                               EventKind::Close}));
    QCOMPARE(kindsOf(store, Side::Server, 1),
             (QList<EventKind>{EventKind::Accept,
                               EventKind::Recv,
                               EventKind::Eof,
                               EventKind::Send,
                               EventKind::Close}));
    // The timeline holds both lanes, joined as peers, and the table a row per event.
    w.timeline()->refresh();
    const TimelineModel &model = *w.timeline()->model();
    QCOMPARE(model.lanes().size(), size_t(2));
    QCOMPARE(model.lanes()[0].peer, 1);
    qint64 firstConnectionEvent = -1;
    for (const Event &e : store.events()) {
        if (e.conn != 0) {
            firstConnectionEvent = e.tNs;
            break;
        }
    }
    QCOMPARE(model.startNs(), firstConnectionEvent);
    const TimeScale &scale = w.timeline()->scale();
    QVERIFY2(scale.x(firstConnectionEvent) < w.timeline()->width() / 4.0,
             qPrintable(QString::number(scale.x(firstConnectionEvent))));
    QTRY_COMPARE(w.eventModel()->rowCount(), int(store.size()));
    qsizetype clientSend = -1;
    for (qsizetype i = 0; i < store.size(); ++i) {
        if (store.at(i).kind == EventKind::Send && store.at(i).side == Side::Client)
            clientSend = i;
    }
    const qsizetype recv = model.matchingRecv(clientSend);
    QVERIFY(recv > clientSend);
    QCOMPARE(store.at(recv).side, Side::Server);
}

void TestApp::abortShowsRstOnThePeerLane()
{
    MainWindow &w = *m_window;
    click(w.clientPane(), "connectButton");
    QTRY_VERIFY(w.serverPane()->panel(1));
    ConnectionPanel *client = w.clientPane()->currentPanel();
    QTRY_COMPARE(badge(client, "stateBadge"), QStringLiteral("ESTABLISHED"));
    click(w.serverPane()->panel(1), "abortButton");
    QTRY_VERIFY(badge(client, "viewBadge").contains(QLatin1StringView("reset")));
    QVERIFY(kindsOf(w.workbench()->events(), Side::Client, 1).contains(EventKind::Rst));
    QVERIFY(!kindsOf(w.workbench()->events(), Side::Client, 1).contains(EventKind::Eof));
    w.timeline()->refresh();
    const TimelineModel &model = *w.timeline()->model();
    const int lane = model.laneOf(Side::Client, 1);
    const auto marks
        = model.marks(lane, TimeScale::fit(model.startNs(), model.endNs(), 0, 2000), 0, 2000, 0.0);
    QVERIFY(std::any_of(marks.begin(), marks.end(), [](const TimelineMark &m) {
        return m.kind == EventKind::Rst;
    }));
}

void TestApp::closeWithUnreadDataAsksFirst()
{
    MainWindow &w = *m_window;
    click(w.clientPane(), "connectButton");
    QTRY_VERIFY(w.serverPane()->panel(1));
    ConnectionPanel *client = w.clientPane()->currentPanel();
    ConnectionPanel *server = w.serverPane()->panel(1);
    QTRY_VERIFY(child<QCheckBox>(server, "readCheck")->isEnabled());
    child<QCheckBox>(server, "readCheck")->setChecked(false); // pause reading
    type(client, QStringLiteral("never read"));
    click(client, "sendButton");
    QTRY_VERIFY(server->endpoint()->unreadBytes() == 10);
    qint64 asked = -1;
    server->setCloseConfirmation([&](qint64 unread) {
        asked = unread;
        return false; // the user cancels
    });
    click(server, "closeButton");
    QCOMPARE(asked, 10);
    QVERIFY(server->endpoint()->isOpen());
    QVERIFY(w.hintText().contains(QLatin1StringView("RST")));
    server->setCloseConfirmation([](qint64) { return true; });
    click(server, "closeButton");
    QTRY_VERIFY(badge(client, "viewBadge").contains(QLatin1StringView("reset")));
}

void TestApp::tableAndTimelineSelectEachOther()
{
    MainWindow &w = *m_window;
    click(w.clientPane(), "connectButton");
    QTRY_VERIFY(w.serverPane()->panel(1));
    QTRY_VERIFY(w.eventModel()->rowCount() >= 4);
    w.eventTable()->selectRow(2);
    QCOMPARE(w.timeline()->selectedEvent(), qsizetype(2));
    QVERIFY(!w.hintText().isEmpty());
    emit w.timeline()->eventClicked(3);
    QCOMPARE(w.eventTable()->currentIndex().row(), 3);
}

void TestApp::nonLoopbackBindWarns()
{
    MainWindow &w = *m_window;
    auto *warning = child<QLabel>(w.serverPane(), "exposureWarning");
    QVERIFY(warning->isHidden());
    w.workbench()->stopListening();
    auto *address = child<QComboBox>(w.serverPane(), "addressCombo");
    address->setCurrentText(QStringLiteral("0.0.0.0"));
    QVERIFY(!warning->isHidden());
    QVERIFY(warning->text().contains(QLatin1StringView("exposes")));
}

void TestApp::serverPaneIPv6Only_data()
{
    QTest::addColumn<bool>("v6only");
    QTest::newRow(":: takes an IPv4 client") << false;
    QTest::newRow(":: with IPv6 only refuses it") << true;
}

void TestApp::serverPaneIPv6Only()
{
    QFETCH(bool, v6only);
    if (QTcpServer probe; !probe.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback (::1) here");
    MainWindow &w = *m_window;
    w.workbench()->stopListening();
    child<QComboBox>(w.serverPane(), "addressCombo")->setCurrentText(QStringLiteral("::"));
    child<QCheckBox>(w.serverPane(), "v6onlyCheck")->setChecked(v6only);
    click(w.serverPane(), "listenButton");
    QVERIFY(w.workbench()->isListening());
    QVERIFY2(w.workbench()->listenAddress().startsWith(QLatin1StringView("[::]:")),
             qPrintable(w.workbench()->listenAddress()));
    QTcpSocket v4;
    v4.connectToHost(QHostAddress::LocalHost, w.workbench()->listenPort());
    QCOMPARE(v4.waitForConnected(5000), !v6only);
}

enum class Ending { FailedConnect, FailedWhileOpen, Reset, ShutWr };

void TestApp::sendEnabledOnlyWhenTheEngineTakesIt_data()
{
    QTest::addColumn<Ending>("ending");
    QTest::addColumn<QString>("reason");
    QTest::newRow("connect refused") << Ending::FailedConnect << QStringLiteral("not connected");
    // The drift this guards against: an end that fails with an error other than a reset stays
    // Open, and a panel with its own copy of the rule kept Send enabled while the engine refused.
    QTest::newRow("failed while open (ENOTCONN)")
        << Ending::FailedWhileOpen
        << QStringLiteral("the connection failed (ENOTCONN): nothing more can be sent");
    QTest::newRow("peer reset") << Ending::Reset
                                << QStringLiteral("the connection was reset: nothing more can be "
                                                  "sent");
    QTest::newRow("after SHUT_WR")
        << Ending::ShutWr
        << QStringLiteral("the write side is shut down (SHUT_WR): nothing more can be sent");
}

void TestApp::sendEnabledOnlyWhenTheEngineTakesIt()
{
    QFETCH(Ending, ending);
    QFETCH(QString, reason);
    MainWindow &w = *m_window;
    Endpoint *ep = nullptr;
    ConnectionPanel *panel = nullptr;
    Clock clock;
    std::unique_ptr<Endpoint> own;
    std::unique_ptr<ConnectionPanel> ownPanel;
    switch (ending) {
    case Ending::FailedConnect:
        w.workbench()->stopListening(); // nothing listens at the client's target port now
        click(w.clientPane(), "connectButton");
        panel = w.clientPane()->currentPanel();
        QVERIFY(panel && panel->endpoint());
        ep = panel->endpoint();
        QTRY_COMPARE(ep->status(), Endpoint::Status::Failed);
        break;
    case Ending::FailedWhileOpen: {
        // A socket that never connected, taken as if accepted: its first recv fails with
        // ENOTCONN, an error that is not a reset, and the end stays Open.
        int err = 0;
        const int fd = native::openStream(QHostAddress::LocalHost, &err);
        QVERIFY2(fd >= 0, qPrintable(errnoMessage(err)));
        own = std::make_unique<Endpoint>(Side::Server, 9, &clock);
        QVERIFY(own->adoptDescriptor(fd));
        ep = own.get();
        ownPanel = std::make_unique<ConnectionPanel>(ep);
        panel = ownPanel.get();
        QVERIFY(!ep->sendRefusal());
        QVERIFY(child<QPushButton>(panel, "sendButton")->isEnabled());
        ep->setReading(true);
        QTRY_VERIFY(ep->sendRefusal());
        QCOMPARE(ep->status(), Endpoint::Status::Open);
        break;
    }
    case Ending::Reset:
    case Ending::ShutWr:
        click(w.clientPane(), "connectButton");
        QTRY_VERIFY(w.serverPane()->panel(1));
        panel = w.clientPane()->currentPanel();
        ep = panel->endpoint();
        QTRY_COMPARE(badge(panel, "stateBadge"), QStringLiteral("ESTABLISHED"));
        QVERIFY(!ep->sendRefusal());
        QVERIFY(child<QPushButton>(panel, "sendButton")->isEnabled());
        click(ending == Ending::Reset ? w.serverPane()->panel(1) : panel,
              ending == Ending::Reset ? "abortButton" : "shutWrButton");
        QTRY_VERIFY(ep->sendRefusal());
        break;
    }
    QCOMPARE(ep->sendRefusal().value_or(QString()), reason);
    panel->refresh();
    // The panel says what the engine would say, as a sentence.
    const QString sentence = reason.left(1).toUpper() + reason.mid(1) + u'.';
    for (const char *name : {"sendButton", "sendFileButton", "sendBulkButton"}) {
        auto *button = child<QPushButton>(panel, name);
        QVERIFY2(!button->isEnabled(), name);
        QCOMPARE(button->toolTip(), sentence);
    }
    // And the engine refuses with that very reason.
    QString error;
    QVERIFY(!ep->send("x", &error));
    if (ending != Ending::ShutWr) // after the FIN the kernel answers the send itself (EPIPE)
        QCOMPARE(error, QStringLiteral("send refused: ") + reason);
}

void TestApp::manyConnectionsFewPanels()
{
    MainWindow &w = *m_window;
    const auto clients = connectClients(w, 200);
    QCOMPARE(w.workbench()->serverConnections().size(), 200);
    QCOMPARE(w.serverPane()->connectionModel()->rowCount(), 200);
    // The first connection was shown and is open: later ones do not take the pane from it.
    QCOMPARE(w.serverPane()->shownConnection(), 1);
    QTest::qWait(50); // panels replaced are deleted later
    QVERIFY2(w.serverPane()->findChildren<ConnectionPanel *>().size() <= 3,
             qPrintable(QString::number(w.serverPane()->findChildren<ConnectionPanel *>().size())));
    // Every connection reads, shown or not, and idles without a poll.
    for (Endpoint *ep : w.workbench()->serverConnections())
        QVERIFY(ep->isReading());
    QTRY_VERIFY(std::none_of(w.workbench()->serverConnections().begin(),
                             w.workbench()->serverConnections().end(),
                             [](const Endpoint *ep) { return ep->isPolling(); }));
    // Selecting a row in the list shows that connection.
    QListView *list = w.serverPane()->connectionList();
    list->setCurrentIndex(list->model()->index(149, 0));
    QCOMPARE(w.serverPane()->shownConnection(), 150);
    QCOMPARE(w.serverPane()->currentPanel()->endpoint(),
             w.workbench()->serverConnections().at(149));
    QTest::qWait(50);
    QVERIFY(w.serverPane()->findChildren<ConnectionPanel *>().size() <= 3);
}

void TestApp::switchingBackShowsReceivedBytes()
{
    MainWindow &w = *m_window;
    const auto clients = connectClients(w, 2);
    clients.at(0)->write("first connection\n");
    clients.at(1)->write("second connection\n");
    QTRY_COMPARE(w.workbench()->serverConnections().at(1)->bytesReceived(), 18);
    QTRY_COMPARE(received(w.serverPane()->panel(1)), QStringLiteral("first connection\n"));
    QTRY_COMPARE(received(w.serverPane()->panel(2)), QStringLiteral("second connection\n"));
    QTRY_COMPARE(received(w.serverPane()->panel(1)), QStringLiteral("first connection\n"));
    // Bytes that arrive while another connection is shown are there when it is shown again.
    clients.at(1)->write("more\n");
    QTRY_COMPARE(w.workbench()->serverConnections().at(1)->bytesReceived(), 23);
    QTRY_COMPARE(received(w.serverPane()->panel(2)), QStringLiteral("second connection\nmore\n"));
}

void TestApp::responderKeepsAnsweringWhileAnotherIsShown()
{
    MainWindow &w = *m_window;
    const auto clients = connectClients(w, 2);
    child<QComboBox>(w.serverPane()->panel(1), "responderCombo")->setCurrentIndex(1); // echo
    ConnectionPanel *second = w.serverPane()->panel(2);
    QCOMPARE(child<QComboBox>(second, "responderCombo")->currentIndex(), 0);
    clients.at(0)->write("ping\n");
    QTRY_COMPARE(clients.at(0)->bytesAvailable(), 5);
    QCOMPARE(clients.at(0)->readAll(), QByteArray("ping\n"));
    // Shown again, the panel says which responder runs.
    QCOMPARE(child<QComboBox>(w.serverPane()->panel(1), "responderCombo")->currentIndex(), 1);
    QVERIFY(!child<QCheckBox>(w.serverPane()->panel(1), "readCheck")->isEnabled());
}

void TestApp::serverWideResponderAnswersNewConnections()
{
    MainWindow &w = *m_window;
    child<QComboBox>(w.serverPane(), "answerCombo")->setCurrentIndex(2); // echo-upper
    const auto clients = connectClients(w, 3);
    for (const auto &client : clients)
        client->write("hello\n");
    for (const auto &client : clients) {
        QTRY_COMPARE(client->bytesAvailable(), 6);
        QCOMPARE(client->readAll(), QByteArray("HELLO\n"));
    }
    // Each connection may still choose otherwise.
    QCOMPARE(child<QComboBox>(w.serverPane()->panel(3), "responderCombo")->currentIndex(), 2);
    child<QComboBox>(w.serverPane()->panel(3), "responderCombo")->setCurrentIndex(1); // echo
    clients.at(2)->write("again\n");
    QTRY_COMPARE(clients.at(2)->bytesAvailable(), 6);
    QCOMPARE(clients.at(2)->readAll(), QByteArray("again\n"));
}

void TestApp::finishedConnectionsFolded()
{
    MainWindow &w = *m_window;
    const auto clients = connectClients(w, 3);
    ConnectionListModel *model = w.serverPane()->connectionModel();
    QCOMPARE(model->rowCount(), 3);
    // The client closes first, then the server end: LAST_ACK, then gone from the kernel table.
    clients.at(0)->disconnectFromHost();
    Endpoint *first = w.workbench()->serverConnections().at(0);
    QTRY_VERIFY(first->eofSeen());
    click(w.serverPane()->panel(1), "closeButton");
    QTRY_VERIFY(model->isFoldRow(0));
    QCOMPARE(model->finishedCount(), 1);
    QCOMPARE(model->rowCount(), 3); // the fold row and two live ones
    QCOMPARE(model->rowOf(1), -1);
    QCOMPARE(model->data(model->index(0), Qt::DisplayRole).toString(),
             QStringLiteral("▸ 1 closed connection"));
    // The shown connection is closed: the next new one is shown.
    const auto more = connectClients(w, 1);
    QTRY_COMPARE(w.serverPane()->shownConnection(), 4);
    // A click on the fold row lists the closed ones.
    QListView *list = w.serverPane()->connectionList();
    QTest::mouseClick(
        list->viewport(), Qt::LeftButton, {}, list->visualRect(model->index(0)).center());
    QVERIFY(model->isExpanded());
    QCOMPARE(model->rowOf(1), 1);
    QCOMPARE(model->connectionAt(2), 2);
    QTest::mouseClick(
        list->viewport(), Qt::LeftButton, {}, list->visualRect(model->index(0)).center());
    QVERIFY(!model->isExpanded());
    QCOMPARE(model->rowOf(1), -1);
}

void TestApp::closeOnEofAnswersThenCloses()
{
    MainWindow &w = *m_window;
    child<QComboBox>(w.serverPane(), "answerCombo")->setCurrentIndex(1); // echo
    child<QCheckBox>(w.serverPane(), "closeOnEofCheck")->setChecked(true);
    const auto clients = connectClients(w, 2);
    for (const auto &client : clients) {
        client->write("last line\n");
        QVERIFY(client->waitForBytesWritten(5000));
        // A half-close (QTcpSocket has none): the reply still comes back.
        QCOMPARE(native::shutdown(int(client->socketDescriptor()), ShutdownHow::Write), 0);
    }
    for (const auto &client : clients) {
        QByteArray reply;
        QTRY_VERIFY((reply += client->readAll()) == "last line\n"
                    || client->state() == QAbstractSocket::UnconnectedState);
        QCOMPARE(reply, QByteArray("last line\n"));
    }
    // Both server ends closed after their reply, settled, and folded away.
    QTRY_COMPARE(w.serverPane()->connectionModel()->finishedCount(), 2);
    for (Endpoint *ep : w.workbench()->serverConnections())
        QCOMPARE(ep->bytesSent(), 10);
}

QTEST_MAIN(TestApp)
#include "tst_app.moc"
