// TIME_WAIT's real life: the kernel table looked up per connection through sock_diag, the
// TIME_WAIT timer recorded by the first closer (engine and CLI), the timeline's band ending at
// the kernel's expiry, and the CLI letting closed ends settle. Real sockets on loopback.

#include "engine/run/recorder.h"
#include "engine/run/settler.h"
#include "engine/session/session.h"
#include "engine/socket/endpoint.h"
#include "engine/socket/listener.h"
#include "engine/socket/sockdiag.h"
#include "render/timelinemodel.h"
#include "support/endpointpair.h"
#include "support/firstlineport.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace finscope;

namespace {

constexpr qint64 Ms = 1'000'000;

// Linux's TIME_WAIT lasts TCP_TIMEWAIT_LEN, 60 s, not tunable per namespace.
constexpr qint32 TimeWaitMs = 60'000;

using Pair = test::EndpointPair;

std::optional<native::SocketAddress> parseAddress(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return std::nullopt;
    QString host = text.left(colon);
    host.remove(u'[').remove(u']');
    return native::SocketAddress{QHostAddress(host), quint16(text.mid(colon + 1).toUInt())};
}

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result runCli(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(FINSCOPE_CLI), args);
    Result r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TestTimeWait : public QObject
{
    Q_OBJECT

private slots:
    void lookUpFindsTheConnectionByItsPair();
    void lookUpFindsAV4MappedPair();
    void firstCloserRecordsTimeWaitWithItsExpiry();
    void settlerWaitsForTheFirstCloser();
    void settlerDoesNotDelaySettledEnds();
    void cliFirstCloserRecordsTimeWait();
    void timelineBandEndsAtTheExpiry();
    void closeWhileADupHoldsItWatchesNothing();
    void cliRunEndClosesTheDupAndRecordsIt();
};

void TestTimeWait::lookUpFindsTheConnectionByItsPair()
{
    Pair pair;
    QVERIFY(pair.open());
    const auto local = parseAddress(pair.client->localAddress());
    const auto peer = parseAddress(pair.client->peerAddress());
    QVERIFY(local && peer);
    QString error;
    auto entry = sockdiag::lookUp(*local, *peer, &error);
    QVERIFY2(entry, qPrintable(error));
    QVERIFY(entry->found);
    QCOMPARE(entry->state, TcpState::Established);
    QCOMPARE(entry->timeWaitMs, -1);
    // The same pair from the other end is the server's socket; a pair nobody holds is not found.
    entry = sockdiag::lookUp(*peer, *local, &error);
    QVERIFY2(entry && entry->found, qPrintable(error));
    QCOMPARE(entry->state, TcpState::Established);
    native::SocketAddress unused = *peer;
    unused.port = quint16(peer->port == 65535 ? 1 : peer->port + 1);
    entry = sockdiag::lookUp(*local, unused, &error);
    QVERIFY2(entry, qPrintable(error));
    QVERIFY(!entry->found);
}

void TestTimeWait::lookUpFindsAV4MappedPair()
{
    // A dual-stack listener accepts an IPv4 client on an AF_INET6 socket: its addresses are
    // v4-mapped (::ffff:127.0.0.1), and the kernel's table must still be found through them.
    Listener listener;
    int err = 0;
    QString error;
    if (!listener.listenOn(QHostAddress::Any, 0, &err, &error))
        QSKIP(qPrintable(QStringLiteral("no dual-stack listener here: %1").arg(error)));
    qintptr accepted = -1;
    QObject::connect(
        &listener, &Listener::descriptorAccepted, &listener, [&](qintptr fd) { accepted = fd; });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, listener.serverPort());
    QVERIFY(client.waitForConnected(5000));
    QTRY_VERIFY_WITH_TIMEOUT(accepted >= 0, 5000);
    const auto local = native::localAddress(int(accepted));
    const auto peer = native::peerAddress(int(accepted));
    QVERIFY(local && peer);
    if (local->address.protocol() != QAbstractSocket::IPv6Protocol) {
        native::close(int(accepted));
        QSKIP("the listener is not dual-stack here");
    }
    const auto entry = sockdiag::lookUp(*local, *peer, &error);
    native::close(int(accepted));
    QVERIFY2(entry, qPrintable(error));
    QVERIFY(entry->found);
    QCOMPARE(entry->state, TcpState::Established);
}

void TestTimeWait::firstCloserRecordsTimeWaitWithItsExpiry()
{
    Pair pair;
    QVERIFY(pair.open());
    QVERIFY(pair.client->close());
    // Only the server's close ends the client's FIN_WAIT2: until then it is not settled.
    QVERIFY(!pair.client->kernelSettled());
    QTest::qWait(100);
    QVERIFY(!pair.client->kernelSettled());
    QSignalSpy settled(pair.client, &Endpoint::settled);
    QVERIFY(pair.server->close());
    QVERIFY(settled.wait(2000));
    const auto state = pair.lastState(Side::Client);
    QVERIFY(state);
    QCOMPARE(state->state, TcpState::TimeWait);
    // The kernel's timer, read within a few ms of entering TIME_WAIT: near 60 s.
    QVERIFY2(state->expiresMs > TimeWaitMs - 2000 && state->expiresMs <= TimeWaitMs,
             qPrintable(QString::number(state->expiresMs)));
    QVERIFY(pair.recorder.events().string(state->text).contains(QStringLiteral("drops it in")));
    // The last closer went from LAST_ACK to gone.
    QTRY_COMPARE_WITH_TIMEOUT(pair.lastState(Side::Server)->state, TcpState::Close, 2000);
    QVERIFY(pair.server->kernelSettled());
    // And the session keeps the timer, through both writers (the file's and the JSON object's).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("s.json"));
    QString error;
    QVERIFY2(pair.recorder.session().save(path, &error), qPrintable(error));
    const auto loaded = Session::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    const auto fromObject = Session::fromJson(pair.recorder.session().toJson(), &error);
    QVERIFY2(fromObject, qPrintable(error));
    for (const Session *s : {&*loaded, &*fromObject}) {
        bool found = false;
        for (const Event &e : s->events.events()) {
            if (e.side == Side::Client && e.kind == EventKind::State
                && e.state == TcpState::TimeWait) {
                found = e.expiresMs == state->expiresMs;
            }
        }
        QVERIFY(found);
    }
}

void TestTimeWait::settlerWaitsForTheFirstCloser()
{
    Pair pair;
    QVERIFY(pair.open());
    QVERIFY(pair.server->close()); // the server's FIN goes first
    Settler settler;
    QSignalSpy done(&settler, &Settler::done);
    QElapsedTimer waited;
    waited.start();
    settler.settle({pair.client, pair.server}, 5000);
    QTimer::singleShot(100, pair.client, [&] { pair.client->close(); });
    QVERIFY(done.wait(5000));
    QCOMPARE(done.first().first().toBool(), true);
    QCOMPARE(pair.lastState(Side::Server)->state, TcpState::TimeWait);
    QVERIFY(waited.elapsed() >= 90);
    QVERIFY2(waited.elapsed() < 4000, qPrintable(QString::number(waited.elapsed())));
}

void TestTimeWait::settlerDoesNotDelaySettledEnds()
{
    Pair pair;
    QVERIFY(pair.open());
    QVERIFY(pair.client->abort()); // no TIME_WAIT: gone at once, on both ends
    QTRY_VERIFY_WITH_TIMEOUT(pair.client->kernelSettled(), 2000);
    Settler settler;
    QSignalSpy done(&settler, &Settler::done);
    QElapsedTimer waited;
    waited.start();
    // The server's end is open: nothing to wait for there either.
    settler.settle({pair.client, pair.server}, 10000);
    QVERIFY(done.wait(5000));
    QVERIFY(done.first().first().toBool());
    QVERIFY2(waited.elapsed() < 1000, qPrintable(QString::number(waited.elapsed())));
}

void TestTimeWait::cliFirstCloserRecordsTimeWait()
{
    // The case: the server sends "bye" and closes first, the client closes 100 ms later.
    // Without settling, the server's process exited in FIN_WAIT1 or FIN_WAIT2.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString saved = dir.filePath(QStringLiteral("server.json"));
    QProcess server;
    server.start(QStringLiteral(FINSCOPE_CLI),
                 {QStringLiteral("server"),
                  QStringLiteral("0"),
                  QStringLiteral("send bye\\n"),
                  QStringLiteral("close"),
                  QStringLiteral("--save"),
                  saved,
                  // The default (1 s) is plenty for the client's close 100 ms later; a loaded
                  // test machine gets more room.
                  QStringLiteral("--settle"),
                  QStringLiteral("5000")});
    const quint16 port = test::firstLinePort(&server, test::ServerListening);
    QVERIFY(port != 0);

    const Result client = runCli({QStringLiteral("client"),
                                  QStringLiteral("127.0.0.1:%1").arg(port),
                                  QStringLiteral("read"),
                                  QStringLiteral("wait 100"),
                                  QStringLiteral("close")});
    QVERIFY2(client.exitCode == 0, qPrintable(client.err));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);

    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    std::optional<Event> last;
    for (const Event &e : session->events.events()) {
        if (e.side == Side::Server && e.conn == 1 && e.kind == EventKind::State)
            last = e;
    }
    QVERIFY(last);
    QCOMPARE(stateName(last->state), QStringLiteral("TIME_WAIT"));
    QVERIFY2(last->expiresMs > TimeWaitMs - 2000 && last->expiresMs <= TimeWaitMs,
             qPrintable(QString::number(last->expiresMs)));
}

void TestTimeWait::timelineBandEndsAtTheExpiry()
{
    Session session;
    auto state = [&](qint64 tNs, TcpState s, qint32 expiresMs = -1) {
        Event e;
        e.tNs = tNs;
        e.side = Side::Client;
        e.conn = 1;
        e.kind = EventKind::State;
        e.state = s;
        e.expiresMs = expiresMs;
        session.events.append(e);
    };
    state(0, TcpState::Established);
    state(10 * Ms, TcpState::FinWait2);
    state(20 * Ms, TcpState::TimeWait, 500);
    // A later event far beyond the expiry: the band must not run to it.
    Event later;
    later.tNs = 5000 * Ms;
    later.side = Side::Client;
    later.conn = 1;
    later.kind = EventKind::Error;
    session.events.append(later);
    TimelineModel model(&session);
    model.update();
    const TimelineLane &lane = model.lanes().at(0);
    QCOMPARE(lane.states.size(), size_t(3));
    QCOMPARE(model.segmentEndNs(lane, 1), 20 * Ms);
    QCOMPARE(model.segmentEndNs(lane, 2), 520 * Ms);
    QVERIFY(lane.states[2].endKnown);

    // Seen gone after its timer (the kernel's timer wheel fires late): the band runs to that.
    state(5500 * Ms, TcpState::Close);
    model.update();
    QCOMPARE(model.segmentEndNs(model.lanes().at(0), 2), 5500 * Ms);

    // Without a timer (an older file): the band ends where it was seen, and says so.
    Session old;
    Event e;
    e.side = Side::Client;
    e.conn = 1;
    e.kind = EventKind::State;
    e.state = TcpState::TimeWait;
    e.tNs = 20 * Ms;
    old.events.append(e);
    later.tNs = 5000 * Ms;
    old.events.append(later);
    TimelineModel oldModel(&old);
    oldModel.update();
    const TimelineLane &oldLane = oldModel.lanes().at(0);
    QCOMPARE(oldModel.segmentEndNs(oldLane, 0), 20 * Ms);
    QVERIFY(!oldLane.states[0].endKnown);
}

// Review of issue 10, (d): close() while a dup holds the socket closes nothing, so there is no
// after-close watch to wait on; the run's end closes the dup through the engine, its FIN recorded,
// and the end then settles in TIME_WAIT like any first closer.
void TestTimeWait::closeWhileADupHoldsItWatchesNothing()
{
    Pair pair;
    QVERIFY(pair.open());
    pair.server->setReading(true);
    QVERIFY(pair.client->duplicateHandle());
    QVERIFY(pair.client->close());
    QVERIFY2(pair.client->kernelSettled(), "nothing closed: nothing to wait for");
    QTest::qWait(100);
    QVERIFY2(!pair.server->eofSeen(), "the dup holds the socket: no FIN");
    QCOMPARE(pair.events(Side::Client, EventKind::Close).size(), 1);

    QSignalSpy settled(pair.client, &Endpoint::settled);
    pair.client->closeAtExit();
    const QList<Event> closes = pair.events(Side::Client, EventKind::Close);
    QCOMPARE(closes.size(), 2);
    const QString text = pair.recorder.events().string(closes.last().text);
    QVERIFY2(text.contains(QLatin1StringView("run's end"))
                 && text.contains(QLatin1StringView("now the kernel sends FIN")),
             qPrintable(text));
    QTRY_VERIFY_WITH_TIMEOUT(pair.server->eofSeen(), 5000);
    QVERIFY(pair.server->close());
    QTRY_VERIFY_WITH_TIMEOUT(pair.client->kernelSettled(), 5000);
    QCOMPARE(settled.count(), 1);
    const auto last = pair.lastState(Side::Client);
    QVERIFY(last);
    QCOMPARE(stateName(last->state), QStringLiteral("TIME_WAIT"));
}

// The same through the CLI: 'dup close' as the whole run; the exit closes the dup, recorded, and
// the client records its TIME_WAIT instead of waiting out --settle on a socket it still held.
void TestTimeWait::cliRunEndClosesTheDupAndRecordsIt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString saved = dir.filePath(QStringLiteral("client.json"));
    QProcess server;
    server.start(QStringLiteral(FINSCOPE_CLI),
                 {QStringLiteral("server"),
                  QStringLiteral("0"),
                  QStringLiteral("read-until-eof"),
                  QStringLiteral("close")});
    const quint16 port = test::firstLinePort(&server, test::ServerListening);
    QVERIFY(port != 0);

    const Result client = runCli({QStringLiteral("client"),
                                  QStringLiteral("127.0.0.1:%1").arg(port),
                                  QStringLiteral("dup"),
                                  QStringLiteral("close"),
                                  QStringLiteral("--save"),
                                  saved,
                                  QStringLiteral("--settle"),
                                  QStringLiteral("5000")});
    QVERIFY2(client.exitCode == 0, qPrintable(client.err));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);

    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    QList<Event> closes;
    std::optional<Event> last;
    for (const Event &e : session->events.events()) {
        if (e.side != Side::Client)
            continue;
        if (e.kind == EventKind::Close)
            closes.append(e);
        if (e.kind == EventKind::State)
            last = e;
    }
    QCOMPARE(closes.size(), 2);
    QVERIFY(session->events.string(closes.last().text).contains(QLatin1StringView("run's end")));
    // Settled when TIME_WAIT came, not at the bound: well before the 5 s of --settle.
    QVERIFY(last);
    QCOMPARE(stateName(last->state), QStringLiteral("TIME_WAIT"));
    QVERIFY(last->tNs - closes.last().tNs < 2'500'000'000);
}

QTEST_GUILESS_MAIN(TestTimeWait)
#include "tst_timewait.moc"
