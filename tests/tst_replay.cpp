// Replay, diff and export: the Replayer in this process, and finscope-cli replay, diff and export
// against real peers (python3 socket programs, finscope-cli server) on loopback.

#include "engine/run/replayer.h"
#include "engine/session/session.h"
#include "engine/session/sessioncomparison.h"
#include "engine/socket/listener.h"
#include "support/firstlineport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>

using namespace finscope;

namespace {

constexpr qint64 Ms = 1'000'000;

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result runCli(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 30000)
{
    QProcess p;
    p.start(QStringLiteral(FINSCOPE_CLI), args);
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("did not finish");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

using test::firstLinePort;

// A plain Python socket server: for each of `count` connections, read to EOF, answer, then either
// half-close and close (a well-behaved peer) or close with SO_LINGER {1, 0} (a peer that resets).
const char *const PythonServer = R"PY(
import socket, struct, sys
reset = sys.argv[1] == 'reset'
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
for _ in range(int(sys.argv[2])):
    c, _ = s.accept()
    data = b''
    while True:
        b = c.recv(4096)
        if not b:
            break
        data += b
    c.sendall(b'got ' + str(len(data)).encode() + b'\n')
    if reset:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    else:
        c.shutdown(socket.SHUT_WR)
    c.close()
)PY";

// A session that holds only actions, as a person would write one by hand; times in ms.
Session actionsOnly(const QList<std::tuple<Side, qint64, QString>> &actions)
{
    Session s;
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    for (const auto &[side, ms, text] : actions)
        s.actions.append({ms * Ms, side, 1, text});
    std::stable_sort(s.actions.begin(), s.actions.end(), [](const auto &a, const auto &b) {
        return a.tNs < b.tNs;
    });
    return s;
}

// A client that sent a file, as recorded: its send-file sent `sent` bytes (the session kept what
// its payload cap allowed), then it half-closed and closed; the server read to EOF and closed.
Session sentFile(const QString &path, const QByteArray &sent, qint64 cap = 1 << 20)
{
    Session s = actionsOnly({{Side::Client, 0, "send-file " + path},
                             {Side::Client, 10, "shutdown wr"},
                             {Side::Client, 11, "read-until-eof"},
                             {Side::Client, 12, "close"},
                             {Side::Server, 0, "read-until-eof"},
                             {Side::Server, 11, "close"}});
    s.actions[0].endNs = Ms;
    s.events.setPayloadCap(cap);
    Event send;
    send.kind = EventKind::Send;
    send.side = Side::Client;
    send.conn = 1;
    send.tNs = Ms / 2;
    send.bytes = sent.size();
    s.events.append(send, sent);
    return s;
}

// What the replay's server end received.
QByteArray serverReceived(const Session &replay)
{
    const PayloadStream *got = replay.events.payloadStream(Side::Server, 1, Direction::Received);
    return got ? got->data : QByteArray();
}

// A session whose client is recorded going to target.
Session clientTo(const QString &target)
{
    Session s = actionsOnly({{Side::Client, 0, "send hi"}, {Side::Client, 1, "close"}});
    s.endpoints.append({Side::Client, 1, QString(), QString(), target});
    return s;
}

// The README half-close, both ends in one session.
// The client waits a recorded second between its request and its FIN.
Session secondBeforeFin()
{
    return actionsOnly({{Side::Client, 0, "send ping"},
                        {Side::Client, 1000, "shutdown wr"},
                        {Side::Client, 1001, "read-until-eof"},
                        {Side::Client, 1002, "close"},
                        {Side::Server, 0, "read-until-eof"},
                        {Side::Server, 1001, "close"}});
}

Session halfCloseActions()
{
    return actionsOnly({{Side::Client, 0, "send Hello, server"},
                        {Side::Client, 1, "shutdown wr"},
                        {Side::Client, 2, "read-until-eof"},
                        {Side::Client, 30, "close"},
                        {Side::Server, 0, "read-until-eof"},
                        {Side::Server, 10, "send Message received.\\n"},
                        {Side::Server, 11, "shutdown wr"},
                        {Side::Server, 12, "close"}});
}

// Runs a prepared replayer to its end.
bool runToEnd(Replayer *replayer)
{
    QSignalSpy finished(replayer, &Replayer::finished);
    replayer->start();
    if (!finished.wait(20000))
        return false;
    return finished.first().first().toBool();
}

const SessionComparison::Summary *summaryOf(const QList<SessionComparison::Summary> &summaries,
                                            Side side)
{
    for (const SessionComparison::Summary &s : summaries) {
        if (s.side == side && s.conn == 1)
            return &s;
    }
    return nullptr;
}

qint64 actionTime(const Session &session, Side side, const QString &text)
{
    for (const RecordedAction &a : session.actions) {
        if (a.side == side && a.text == text)
            return a.tNs;
    }
    return -1;
}

RecordedAction *recordedAction(Session *session, Side side, const QString &text)
{
    for (RecordedAction &a : session->actions) {
        if (a.side == side && a.text == text)
            return &a;
    }
    return nullptr;
}

// The time of the last event of `kind` on (side, 1), or -1.
qint64 lastEventTime(const Session &session, Side side, EventKind kind)
{
    qint64 t = -1;
    for (const Event &e : session.events.events()) {
        if (e.side == side && e.conn == 1 && e.kind == kind)
            t = e.tNs;
    }
    return t;
}

QString python()
{
    return QStandardPaths::findExecutable(QStringLiteral("python3"));
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT

private slots:
    void bothSidesInProcessIsEquivalent();
    void speedScalesRecordedGaps();
    void gapKeptFromTheEndOfTheActionBefore();
    void steppingRunsOneActionPerNext();
    void haltStopsEverythingAtOnce();
    void targetIsKnownBeforeConnecting();
    void replayAgainstPythonPeer();
    void replaySettlesTheFirstCloser();
    void replayServerSideForLiveClient();
    void replayAgainstClosedPortExits3();
    void replayStepsOnEnter();
    void stepWithEndlessLineIsBoundedAndTimesOut();
    void interruptedReplaySavesAndExits130();
    void replayOfMissingSendFileExits3WithoutConnecting();
    void sendFileSendsTheRecordedBytes();
    void sendFileKeptShortSendsWhatTheSessionHolds();
    void cliNamesFilesBeforeRunning();
    void remoteTargetIsRefusedWithoutTarget_data();
    void remoteTargetIsRefusedWithoutTarget();
    void loopbackTargetsNeedNoWord_data();
    void loopbackTargetsNeedNoWord();
    void replayerRefusesRemoteTargetsItWasNotAllowed();
    void timeoutCutsAHugeGapShort();
    void timeoutCountsLoadingAndPlanning();
    void diffOfSessions();
    void diffComparesPayload();
    void diffCallsARacedCloseOrderARace();
    void pythonExportDoesTheSameHalfClose();
    void pythonExportOfServer();
    void textExportIsWhatShowPrints();
    void usageErrors_data();
    void usageErrors();

private:
    QTemporaryDir m_dir;
    // Records the README half-close with both ends in this process and saves it.
    QString recordBothSides();
};

QString TestReplay::recordBothSides()
{
    Replayer recorder(halfCloseActions());
    recorder.setSpeed(0);
    QString error;
    if (!recorder.prepare(&error) || !runToEnd(&recorder))
        return QString();
    const QString path = m_dir.filePath(QStringLiteral("both.json"));
    if (!recorder.session().save(path, &error))
        return QString();
    return path;
}

void TestReplay::bothSidesInProcessIsEquivalent()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    QString error;
    const auto recording = Session::load(path, &error);
    QVERIFY2(recording, qPrintable(error));
    // The recording is a real half-close: the request, the client's FIN, the reply, the server's.
    const auto summaries = SessionComparison::summarize(*recording);
    const auto *client = summaryOf(summaries, Side::Client);
    const auto *server = summaryOf(summaries, Side::Server);
    QVERIFY(client && server);
    QCOMPARE(server->bytesReceived, 13);
    QCOMPARE(client->bytesReceived, 18);
    QCOMPARE(client->teardown, QStringList({"shutdown wr", "eof", "close"}));
    QCOMPARE(server->teardown, QStringList({"eof", "shutdown wr", "close"}));

    Replayer replayer(*recording);
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QCOMPARE(replayer.mode(), Replayer::Mode::Both);
    QVERIFY(runToEnd(&replayer));
    QCOMPARE(replayer.session().actions.size(), 8);
    const SessionComparison comparison(*recording, replayer.session());
    QVERIFY2(comparison.equivalent(), qPrintable(comparison.report()));
}

void TestReplay::haltStopsEverythingAtOnce()
{
    // Halt lands in the recorded second before the FIN.
    const Session recording = secondBeforeFin();
    Replayer replayer(recording);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.start();
    QTRY_COMPARE(replayer.session().actions.size(), 2); // send ping, the server's read
    replayer.halt();
    QCOMPARE(finished.size(), 1); // at once, not after the recorded gap
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY(replayer.isFinished());
    QVERIFY(replayer.wasHalted());
    for (const Endpoint *e : replayer.workbench()->clients())
        QVERIFY(!e->isOpen());
    for (const Endpoint *e : replayer.workbench()->serverConnections())
        QVERIFY(!e->isOpen());
    // The recorded gap would have released the FIN by now: nothing runs after a halt.
    QTest::qWait(1300);
    QCOMPARE(replayer.session().actions.size(), 2);
    QCOMPARE(finished.size(), 1);
    replayer.halt(); // a second halt does nothing
    QCOMPARE(finished.size(), 1);
}

void TestReplay::speedScalesRecordedGaps()
{
    const Session recording = secondBeforeFin();
    Replayer replayer(recording);
    replayer.setSpeed(10);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QVERIFY(runToEnd(&replayer));
    const qint64 gap = actionTime(replayer.session(), Side::Client, "shutdown wr")
                       - actionTime(replayer.session(), Side::Client, "send ping");
    // Never earlier than the scaled gap, and shorter than the recorded one.
    QVERIFY2(gap >= 100 * Ms, qPrintable(QString::number(gap)));
    QVERIFY2(gap < 1000 * Ms, qPrintable(QString::number(gap)));
    // The server's FIN only comes after the client's, whatever the speed.
    const auto summaries = SessionComparison::summarize(replayer.session());
    QCOMPARE(summaryOf(summaries, Side::Server)->teardown, QStringList({"eof", "close"}));
}

void TestReplay::gapKeptFromTheEndOfTheActionBefore()
{
    // Recorded: the client's 8 MiB send blocked for 5 s (its server read slowly) and its FIN
    // followed 35 ms after the send returned. Here the server reads at once.
    Session recording = actionsOnly({{Side::Client, 0, "send-pattern 8388608"},
                                     {Side::Client, 5035, "shutdown wr"},
                                     {Side::Client, 5036, "read-until-eof"},
                                     {Side::Client, 5040, "close"},
                                     {Side::Server, 0, "read-until-eof"},
                                     {Side::Server, 5038, "close"}});
    for (const auto &[side, text, endMs] : {std::tuple(Side::Client, "send-pattern 8388608", 5000),
                                            std::tuple(Side::Client, "shutdown wr", 5035),
                                            std::tuple(Side::Client, "read-until-eof", 5039),
                                            std::tuple(Side::Server, "read-until-eof", 5037)}) {
        RecordedAction *action = recordedAction(&recording, side, QString::fromLatin1(text));
        QVERIFY(action);
        action->endNs = endMs * Ms;
    }
    Replayer replayer(recording);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QVERIFY(runToEnd(&replayer));
    const Session &replay = replayer.session();
    // The FIN came the recorded 35 ms after the last byte was taken, not at its recorded 5.035 s.
    const qint64 lastSend = lastEventTime(replay, Side::Client, EventKind::Send);
    const qint64 fin = lastEventTime(replay, Side::Client, EventKind::Shutdown);
    QVERIFY(lastSend >= 0 && fin >= 0);
    const qint64 gap = fin - lastSend;
    QVERIFY2(gap >= 35 * Ms, qPrintable(QStringLiteral("FIN %1 ms after the send").arg(gap / 1e6)));
    QVERIFY2(gap < 1000 * Ms,
             qPrintable(QStringLiteral("FIN %1 ms after the send").arg(gap / 1e6)));
    // The replay records when each action returned, for the next replay of it.
    const RecordedAction *send
        = recordedAction(const_cast<Session *>(&replay), Side::Client, "send-pattern 8388608");
    QVERIFY(send);
    QVERIFY2(send->endNs >= lastSend, qPrintable(QString::number(send->endNs)));
    QVERIFY(send->endNs <= actionTime(replay, Side::Client, "shutdown wr") - 35 * Ms);
    for (const RecordedAction &a : replay.actions)
        QVERIFY2(a.endNs >= a.tNs, qPrintable(a.text));
}

void TestReplay::steppingRunsOneActionPerNext()
{
    Replayer replayer(halfCloseActions());
    replayer.setStepping(true);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QSignalSpy pending(&replayer, &Replayer::actionPending);
    QSignalSpy started(&replayer, &Replayer::actionStarted);
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.start();
    QVERIFY(pending.wait(10000));
    // Nothing runs until next(): the first action recorded was the client's request.
    QCOMPARE(pending.last().at(0).value<Side>(), Side::Client);
    QCOMPARE(pending.last().at(2).toString(), QStringLiteral("send Hello, server"));
    QTest::qWait(200);
    QCOMPARE(started.size(), 0);
    replayer.next();
    QTRY_COMPARE(started.size(), 1);
    QCOMPARE(started.last().at(2).toString(), QStringLiteral("send Hello, server"));
    // The next one in recorded order is the server's read.
    QTRY_COMPARE(pending.size(), 2);
    QCOMPARE(pending.last().at(0).value<Side>(), Side::Server);
    QTest::qWait(100);
    QCOMPARE(started.size(), 1);
    for (int i = 2; i <= 8; ++i) {
        replayer.next();
        QTRY_COMPARE(started.size(), i);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QVERIFY(finished.first().first().toBool());
    // Stepped, it is still the whole half-close.
    const auto summaries = SessionComparison::summarize(replayer.session());
    QCOMPARE(summaryOf(summaries, Side::Client)->bytesReceived, 18);
    QCOMPARE(summaryOf(summaries, Side::Client)->teardown,
             QStringList({"shutdown wr", "eof", "close"}));
}

void TestReplay::targetIsKnownBeforeConnecting()
{
    Session recording = actionsOnly({{Side::Client, 0, "close"}});
    recording.endpoints.append(
        {Side::Client, 1, "127.0.0.1:40000", "127.0.0.1:5555", "localhost:5556"});
    Replayer replayer(recording);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QCOMPARE(replayer.mode(), Replayer::Mode::Client);
    QCOMPARE(replayer.target(), QStringLiteral("localhost:5556"));
    QVERIFY(replayer.workbench()->clients().isEmpty()); // nothing connected yet

    Replayer retargeted(recording);
    retargeted.setTarget(QStringLiteral("::1"), 7);
    QVERIFY(retargeted.prepare(&error));
    QCOMPARE(retargeted.target(), QStringLiteral("[::1]:7"));

    Replayer serverOnly(recording);
    serverOnly.setMode(Replayer::Mode::Server);
    QVERIFY(!serverOnly.prepare(&error));
    QVERIFY2(error.contains(QLatin1StringView("no server actions")), qPrintable(error));
}

void TestReplay::replayAgainstPythonPeer()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    // Record against a well-behaved peer that will take the replay's connection too.
    QProcess peer;
    peer.start(python(), {QStringLiteral("-c"), QString::fromUtf8(PythonServer), "fin", "2"});
    const quint16 port = firstLinePort(&peer);
    QVERIFY(port != 0);
    const QString recorded = m_dir.filePath(QStringLiteral("client.json"));
    Result r = runCli({"client",
                       QStringLiteral("127.0.0.1:%1").arg(port),
                       "send Hello, server",
                       "shutdown wr",
                       "read-until-eof",
                       "close",
                       "--save",
                       recorded});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    // Against a fresh connection to the same peer, at the recorded address: the same.
    r = runCli({"replay", recorded});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    const QStringList lines = r.out.split(u'\n');
    QCOMPARE(lines.first(), QStringLiteral("replaying client 1 against 127.0.0.1:%1").arg(port));
    QVERIFY2(r.out.contains(QLatin1StringView("got 13")), qPrintable(r.out));
    QCOMPARE(lines.at(lines.size() - 2), QStringLiteral("equivalent to the recording"));
    QVERIFY(peer.waitForFinished(10000));

    // Against a peer that now resets: not the same, and the reset is named.
    QProcess resetting;
    resetting.start(python(),
                    {QStringLiteral("-c"), QString::fromUtf8(PythonServer), "reset", "1"});
    const quint16 resetPort = firstLinePort(&resetting);
    QVERIFY(resetPort != 0);
    const QString replayed = m_dir.filePath(QStringLiteral("replayed.json"));
    r = runCli({"replay",
                recorded,
                "--target",
                QStringLiteral("127.0.0.1:%1").arg(resetPort),
                "--save",
                replayed});
    QVERIFY2(r.exitCode == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.startsWith(
                 QStringLiteral("replaying client 1 against 127.0.0.1:%1\n").arg(resetPort)),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1StringView("differs from the recording")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1StringView("recording saw shutdown wr then eof then close; "
                                              "replay saw shutdown wr then rst (ECONNRESET)")),
             qPrintable(r.out));
    QVERIFY(resetting.waitForFinished(10000));
    // The saved replay is a session diff can read, and diff finds the same difference.
    r = runCli({"diff", recorded, replayed});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QLatin1StringView("rst (ECONNRESET)")), qPrintable(r.out));
}

// The end that closes first holds TIME_WAIT; a replay lets it settle before comparing and exiting,
// as client and server do, so the replay's record has it too. With --settle 0 it does not.
void TestReplay::replaySettlesTheFirstCloser()
{
    QProcess server;
    server.start(
        QStringLiteral(FINSCOPE_CLI),
        {"server", "127.0.0.1:0", "read-until-eof", "wait 50", "close", "--connections", "3"});
    const quint16 port = firstLinePort(&server, "listening on");
    QVERIFY(port != 0);
    const QString target = QStringLiteral("127.0.0.1:%1").arg(port);
    const QString recorded = m_dir.filePath(QStringLiteral("first-closer.json"));
    Result r = runCli({"client", target, "send hi", "close", "--save", recorded});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto timeWaits = [](const QString &path) {
        QString error;
        const auto session = Session::load(path, &error);
        int count = 0;
        if (!session)
            return -1;
        for (qsizetype i = 0; i < session->events.size(); ++i) {
            const Event &e = session->events.at(i);
            if (e.kind == EventKind::State && e.side == Side::Client
                && e.state == TcpState::TimeWait)
                ++count;
        }
        return count;
    };
    QCOMPARE(timeWaits(recorded), 1);

    const QString settled = m_dir.filePath(QStringLiteral("settled.json"));
    r = runCli({"replay", recorded, "--save", settled});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QCOMPARE(timeWaits(settled), 1);

    const QString unsettled = m_dir.filePath(QStringLiteral("unsettled.json"));
    r = runCli({"replay", recorded, "--settle", "0", "--save", unsettled});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QCOMPARE(timeWaits(unsettled), 0);
    QVERIFY(server.waitForFinished(10000));
}

void TestReplay::replayServerSideForLiveClient()
{
    // Record a server session with a finscope-cli client as the live peer.
    QProcess server;
    const QString recorded = m_dir.filePath(QStringLiteral("server-rec.json"));
    server.start(QStringLiteral(FINSCOPE_CLI),
                 {"server",
                  "0",
                  "read-until-eof",
                  "send Message received.\\n",
                  "shutdown wr",
                  "close",
                  "--save",
                  recorded});
    quint16 port = firstLinePort(&server, "listening on");
    QVERIFY(port != 0);
    const QStringList client{"send Hello, server", "shutdown wr", "read-until-eof", "close"};
    Result r = runCli(QStringList{"client", QStringLiteral("127.0.0.1:%1").arg(port)} + client);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);

    // The replay is the server (the only side recorded), listening where it says before anyone
    // connects; a live client gets the same answer.
    QProcess replay;
    replay.start(QStringLiteral(FINSCOPE_CLI), {"replay", recorded, "--listen", "127.0.0.1:0"});
    port = firstLinePort(&replay, "replaying server 1, listening on 127.0.0.1:");
    QVERIFY(port != 0);
    r = runCli(QStringList{"client", QStringLiteral("127.0.0.1:%1").arg(port)} + client);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QLatin1StringView("Message received.")));
    QVERIFY(replay.waitForFinished(10000));
    const QString out = QString::fromUtf8(replay.readAllStandardOutput());
    QVERIFY2(replay.exitCode() == 0, qPrintable(out));
    QVERIFY2(out.endsWith(QLatin1StringView("equivalent to the recording\n")), qPrintable(out));

    // A client that resets instead of reading the answer makes the server's replay differ.
    QProcess again;
    again.start(QStringLiteral(FINSCOPE_CLI), {"replay", recorded});
    port = firstLinePort(&again, "replaying server 1, listening on 127.0.0.1:");
    QVERIFY(port != 0);
    r = runCli({"client", QStringLiteral("127.0.0.1:%1").arg(port), "send Hello, server", "abort"});
    QVERIFY(again.waitForFinished(10000));
    const QString diff = QString::fromUtf8(again.readAllStandardOutput());
    QVERIFY2(again.exitCode() == 1, qPrintable(diff));
    QVERIFY2(diff.contains(QLatin1StringView("server 1: recording saw eof")), qPrintable(diff));
}

void TestReplay::replayAgainstClosedPortExits3()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    // A port that was just free: nothing listens there.
    Listener probe;
    int err = 0;
    QString error;
    QVERIFY(probe.listenOn(QHostAddress::LocalHost, 0, &err, &error));
    const quint16 port = probe.serverPort();
    probe.close();
    const Result r = runCli(
        {"replay", path, "--side", "client", "--target", QStringLiteral("127.0.0.1:%1").arg(port)});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QLatin1StringView("refused")), qPrintable(r.err));
}

void TestReplay::replayStepsOnEnter()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    // A person at the keyboard: Enter after each prompt, never before it.
    QProcess cli;
    cli.start(QStringLiteral(FINSCOPE_CLI), {"replay", path, "--step"});
    QString out;
    qsizetype answered = 0;
    QElapsedTimer waited;
    waited.start();
    while (cli.state() != QProcess::NotRunning && waited.elapsed() < 20000) {
        cli.waitForReadyRead(200);
        out += QString::fromUtf8(cli.readAllStandardOutput());
        const qsizetype prompts = out.count(QLatin1StringView("  (Enter runs it)"));
        if (prompts > answered) {
            cli.write("\n");
            answered = prompts;
        }
    }
    QCOMPARE(cli.state(), QProcess::NotRunning);
    out += QString::fromUtf8(cli.readAllStandardOutput());
    QVERIFY2(cli.exitCode() == 0, qPrintable(out + cli.readAllStandardError()));
    const qsizetype firstPrompt
        = out.indexOf(QLatin1StringView("next: client 1 send Hello, server  (Enter runs it)"));
    const qsizetype firstSend = out.indexOf(QLatin1StringView(" send "));
    QVERIFY2(firstPrompt >= 0 && firstPrompt < firstSend, qPrintable(out));
    QCOMPARE(answered, 8);
    QVERIFY2(out.contains(QLatin1StringView("equivalent to the recording")), qPrintable(out));
}

// A standard input that never sends a newline: it was gathered into one line for ever (4.6 GB
// after 40 minutes) and --timeout never fired.
void TestReplay::stepWithEndlessLineIsBoundedAndTimesOut()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    QProcess cli;
    cli.setStandardInputFile(QStringLiteral("/dev/zero"));
    QElapsedTimer took;
    took.start();
    cli.start(QStringLiteral(FINSCOPE_CLI), {"replay", path, "--step", "--timeout", "2.5"});
    QVERIFY(cli.waitForStarted());
    const auto residentKb = [&cli] {
        QFile status(QStringLiteral("/proc/%1/status").arg(cli.processId()));
        if (!status.open(QIODevice::ReadOnly))
            return qint64(-1);
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
        return qint64(-1);
    };
    QTest::qWait(800);
    const qint64 early = residentKb();
    QTest::qWait(1200);
    const qint64 late = residentKb();
    QVERIFY(early > 0 && late > 0);
    QVERIFY2(late - early < 8 * 1024,
             qPrintable(QStringLiteral("resident %1 KB, then %2 KB").arg(early).arg(late)));
    QVERIFY2(cli.waitForFinished(15000), "--timeout 2.5 did not end the replay");
    QVERIFY2(took.elapsed() >= 2500, qPrintable(QString::number(took.elapsed())));
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    QCOMPARE(cli.exitCode(), 1);
    QVERIFY2(err.contains(QLatin1StringView("timed out after 2.5 s")), qPrintable(err));
}

// Ctrl-C in the middle of a replay: every open end is closed, what was recorded is saved, and
// the exit code says SIGINT.
void TestReplay::interruptedReplaySavesAndExits130()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    const QString saved = m_dir.filePath(QStringLiteral("interrupted.json"));
    QProcess cli;
    // Stepping with no Enter: the replay connects, then waits before its first action.
    cli.start(QStringLiteral(FINSCOPE_CLI), {"replay", path, "--step", "--save", saved});
    QTRY_VERIFY_WITH_TIMEOUT(
        QString::fromUtf8(cli.peek(4096)).contains(QLatin1StringView("(Enter runs it)")), 10000);
    QVERIFY(::kill(pid_t(cli.processId()), SIGINT) == 0);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 130);
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    QVERIFY2(err.contains(QLatin1StringView("stopped by SIGINT")), qPrintable(err));
    QCOMPARE(err.count(u'\n'), 1);
    QString error;
    const auto session = Session::load(saved, &error);
    QVERIFY2(session, qPrintable(error));
    bool closed = false;
    for (qsizetype i = 0; i < session->events.size(); ++i)
        closed = closed || session->events.at(i).kind == EventKind::Close;
    QVERIFY2(closed, "the ends still open were not closed and recorded");
}

void TestReplay::replayOfMissingSendFileExits3WithoutConnecting()
{
    const QString path = m_dir.filePath(QStringLiteral("sendfile.json"));
    const QString missing = m_dir.filePath(QStringLiteral("gone.bin"));
    QString error;
    QVERIFY2(actionsOnly({{Side::Client, 0, "send-file " + missing}, {Side::Client, 1, "close"}})
                 .save(path, &error),
             qPrintable(error));
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    // Only a replay allowed to read files opens them (by default the recorded bytes are sent).
    const Result r = runCli({"replay",
                             path,
                             "--allow-files",
                             "--target",
                             QStringLiteral("127.0.0.1:%1").arg(server.serverPort())});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QStringLiteral("cannot open '%1'").arg(missing)), qPrintable(r.err));
    QTest::qWait(200);
    QVERIFY(!server.hasPendingConnections());
}

// A recorded send-file replays the bytes the recording sent: the file the session names, here
// with other content, is not read unless allowed.
void TestReplay::sendFileSendsTheRecordedBytes()
{
    const QString path = m_dir.filePath(QStringLiteral("named.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("what the file on this machine holds\n");
    file.close();
    const QByteArray sent("what was sent then\n");
    const Session recording = sentFile(path, sent);

    Replayer replayer(recording);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QCOMPARE(replayer.fileSends().size(), 1);
    QCOMPARE(replayer.fileSends().at(0).path, path);
    QCOMPARE(replayer.fileSends().at(0).recordedBytes, sent.size());
    QCOMPARE(replayer.fileSends().at(0).keptBytes, sent.size());
    QVERIFY(runToEnd(&replayer));
    QCOMPARE(serverReceived(replayer.session()), sent);
    // The replay records the action as it was: a send-file naming the path.
    const auto &actions = replayer.session().actions;
    QVERIFY(std::any_of(actions.begin(), actions.end(), [&](const RecordedAction &a) {
        return a.side == Side::Client && a.text == QStringLiteral("send-file ") + path;
    }));

    Replayer allowed(recording);
    allowed.setAllowFiles(true);
    QVERIFY2(allowed.prepare(&error), qPrintable(error));
    QVERIFY(runToEnd(&allowed));
    QCOMPARE(serverReceived(allowed.session()),
             QByteArray("what the file on this machine holds\n"));
}

// The recording kept 8 of the 19 bytes its send-file sent: the replay sends those 8 and says so.
void TestReplay::sendFileKeptShortSendsWhatTheSessionHolds()
{
    const QString path = m_dir.filePath(QStringLiteral("absent.txt"));
    const Session recording = sentFile(path, QByteArray("what was sent then\n"), 8);
    QVERIFY(recording.events.payloadCut());
    Replayer replayer(recording);
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QCOMPARE(replayer.fileSends().at(0).recordedBytes, 19);
    QCOMPARE(replayer.fileSends().at(0).keptBytes, 8);
    QVERIFY(runToEnd(&replayer));
    QCOMPARE(serverReceived(replayer.session()), QByteArray("what was"));

    // Allowed to read a file that is not there: refused before anything listens or connects.
    Replayer allowed(recording);
    allowed.setAllowFiles(true);
    QVERIFY(!allowed.prepare(&error));
    QVERIFY2(error.contains(QStringLiteral("cannot open '%1'").arg(path)), qPrintable(error));
}

// The CLI names every file before anything runs, and what it sends for it.
void TestReplay::cliNamesFilesBeforeRunning()
{
    const QString named = m_dir.filePath(QStringLiteral("cli-named.txt"));
    QFile file(named);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("the file now\n");
    file.close();
    const QString path = m_dir.filePath(QStringLiteral("sentfile.json"));
    QString error;
    QVERIFY2(sentFile(named, "what was sent then\n").save(path, &error), qPrintable(error));
    const QString saved = m_dir.filePath(QStringLiteral("sentfile-replay.json"));

    Result r = runCli({"replay", path, "--speed", "0", "--save", saved});
    QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(r.out + r.err));
    QStringList lines = r.out.split(u'\n');
    QVERIFY2(lines.size() > 2, qPrintable(r.out));
    QCOMPARE(lines.at(1),
             QStringLiteral("client 1 send-file %1: sends the 19 bytes the recording holds, not "
                            "the file (--allow-files reads it)")
                 .arg(named));
    auto replay = Session::load(saved, &error);
    QVERIFY2(replay, qPrintable(error));
    QCOMPARE(serverReceived(*replay), QByteArray("what was sent then\n"));

    r = runCli({"replay", path, "--speed", "0", "--save", saved, "--allow-files"});
    QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(r.out + r.err));
    lines = r.out.split(u'\n');
    QCOMPARE(lines.at(1),
             QStringLiteral("client 1 send-file %1: reads the file on this machine "
                            "(--allow-files)")
                 .arg(named));
    replay = Session::load(saved, &error);
    QVERIFY2(replay, qPrintable(error));
    QCOMPARE(serverReceived(*replay), QByteArray("the file now\n"));

    // A recording that kept 8 of the 19 bytes says so, and sends those 8.
    QVERIFY2(sentFile(named, "what was sent then\n", 8).save(path, &error), qPrintable(error));
    r = runCli({"replay", path, "--speed", "0", "--save", saved});
    lines = r.out.split(u'\n');
    QVERIFY2(lines.size() > 2, qPrintable(r.out + r.err));
    QCOMPARE(lines.at(1),
             QStringLiteral("client 1 send-file %1: the recording sent 19 bytes and kept 8; "
                            "sends those 8, not the file (--allow-files reads it)")
                 .arg(named));
    replay = Session::load(saved, &error);
    QVERIFY2(replay, qPrintable(error));
    QCOMPARE(serverReceived(*replay), QByteArray("what was"));
}

void TestReplay::remoteTargetIsRefusedWithoutTarget_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("an unresolvable name") << "nosuchhost.invalid:80";
    QTest::newRow("a LAN address") << "192.0.2.7:5555";
    QTest::newRow("an IPv6 address") << "[2001:db8::1]:80";
}

// A session someone sent names where its client goes: without --target the replay refuses, in
// one sentence naming the recorded target, before any lookup or connect (a name that cannot
// resolve gets the refusal, not a resolution failure).
void TestReplay::remoteTargetIsRefusedWithoutTarget()
{
    QFETCH(QString, target);
    const QString path = m_dir.filePath(QStringLiteral("remote.json"));
    QString error;
    QVERIFY2(clientTo(target).save(path, &error), qPrintable(error));
    QElapsedTimer took;
    took.start();
    const Result r = runCli({"replay", path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(took.elapsed() < 10000, qPrintable(QString::number(took.elapsed())));
    QVERIFY2(r.err.contains(QStringLiteral("the session sends client 1 to %1, which is not this "
                                           "machine; give --target HOST:PORT")
                                .arg(target)),
             qPrintable(r.err));
    QCOMPARE(r.err.count(u'\n'), 1);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));

    // Given a target, the replay goes there and nowhere else.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const Result t = runCli({"replay",
                             path,
                             "--target",
                             QStringLiteral("127.0.0.1:%1").arg(server.serverPort()),
                             "--speed",
                             "0"});
    QVERIFY2(
        t.out.startsWith(
            QStringLiteral("replaying client 1 against 127.0.0.1:%1").arg(server.serverPort())),
        qPrintable(t.out + t.err));
    QVERIFY(server.hasPendingConnections() || server.waitForNewConnection(5000));
}

void TestReplay::loopbackTargetsNeedNoWord_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("localhost") << "localhost";
    QTest::newRow("127.0.0.1") << "127.0.0.1";
}

void TestReplay::loopbackTargetsNeedNoWord()
{
    QFETCH(QString, host);
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const QString path = m_dir.filePath(QStringLiteral("loopback.json"));
    QString error;
    QVERIFY2(
        clientTo(QStringLiteral("%1:%2").arg(host).arg(server.serverPort())).save(path, &error),
        qPrintable(error));
    const Result r = runCli({"replay", path, "--speed", "0"});
    QVERIFY2(r.exitCode != 2, qPrintable(r.err));
    QVERIFY(server.hasPendingConnections() || server.waitForNewConnection(5000));
}

// The engine's own guard: a front end that did not ask gets a refusal, and nothing connects.
void TestReplay::replayerRefusesRemoteTargetsItWasNotAllowed()
{
    Replayer replayer(clientTo(QStringLiteral("nosuchhost.invalid:80")));
    QString error;
    QVERIFY2(replayer.prepare(&error), qPrintable(error));
    QCOMPARE(replayer.remoteTargets(), QStringList{"client 1 to nosuchhost.invalid:80"});
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.start();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY2(replayer.errorString().startsWith(
                 QLatin1StringView("the session sends client 1 to nosuchhost.invalid:80")),
             qPrintable(replayer.errorString()));
    QVERIFY(replayer.workbench()->clients().isEmpty());

    // Both ends here: a fresh loopback port, whatever the file says; nothing to ask.
    Session both = sentFile(QStringLiteral("/nonexistent"), "hi");
    both.endpoints.append({Side::Client, 1, QString(), QString(), "nosuchhost.invalid:80"});
    Replayer here(both);
    QVERIFY2(here.prepare(&error), qPrintable(error));
    QCOMPARE(here.mode(), Replayer::Mode::Both);
    QVERIFY(here.remoteTargets().isEmpty());
    QVERIFY(here.target().startsWith(QLatin1StringView("127.0.0.1:")));
    QVERIFY(runToEnd(&here));
    QCOMPARE(serverReceived(here.session()), QByteArray("hi"));
}

// A recorded wait of a thousand hours at --speed 0.0001 is cut by --timeout (no overflow on the
// way), and the output says the replay was cut short and what never ran, with no verdict.
void TestReplay::timeoutCutsAHugeGapShort()
{
    constexpr qint64 Hours = 3600'000;
    Session s = actionsOnly({{Side::Client, 0, "send ping"},
                             {Side::Client, 1000 * Hours, "shutdown wr"},
                             {Side::Client, 1000 * Hours + 1, "close"},
                             {Side::Server, 0, "read-until-eof"},
                             {Side::Server, 1000 * Hours + 2, "close"}});
    const QString path = m_dir.filePath(QStringLiteral("hours.json"));
    QString error;
    QVERIFY2(s.save(path, &error), qPrintable(error));
    const Result r = runCli({"replay", path, "--speed", "0.0001", "--timeout", "1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1StringView(
                 "timed out after 1 s: client 1 had not started action 2 (shutdown wr)")),
             qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1StringView(
                 "cut short at the timeout: not compared with the recording\ndid not run:\n"
                 "  client 1 action 2 (shutdown wr)\n  client 1 action 3 (close)\n"
                 "  server 1 action 2 (close)\n")),
             qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1StringView("equivalent"))
                 && !r.out.contains(QLatin1StringView("differs")),
             qPrintable(r.out));
}

// --timeout bounds the whole command: 5,000 connections take longer than 1 ms to load and plan,
// and the timeout then ends the command before anything connects, saying so.
void TestReplay::timeoutCountsLoadingAndPlanning()
{
    Session s;
    s.wallClockStart = QDateTime::currentDateTimeUtc();
    for (quint32 conn = 1; conn <= 5000; ++conn) {
        s.actions.append({conn * Ms, Side::Client, conn, QStringLiteral("send hello")});
        s.actions.append({conn * Ms, Side::Server, conn, QStringLiteral("read-until-eof")});
    }
    const QString path = m_dir.filePath(QStringLiteral("many.json"));
    QString error;
    QVERIFY2(s.save(path, &error), qPrintable(error));
    const Result r = runCli({"replay", path, "--timeout", "0.001"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1StringView(
                 "timed out after 0.001 s: loading and planning the replay took")),
             qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1StringView("did not run:\n  client 1 action 1 (send hello)\n")),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1StringView("  ... and 9980 more\n")), qPrintable(r.out));
    QVERIFY2(!r.out.contains(QLatin1StringView(" connect ")), qPrintable(r.out.left(2000)));
}

void TestReplay::diffOfSessions()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    Result r = runCli({"diff", path, path});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.startsWith(QLatin1StringView("equivalent")));

    // The same session without the client's EOF: a peer that never half-closed.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    QJsonArray events;
    for (const QJsonValue &v : json.value(QStringLiteral("events")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("kind")).toString() != QLatin1StringView("eof")
            || e.value(QStringLiteral("side")).toString() != QLatin1StringView("client")) {
            events.append(e);
        }
    }
    json.insert(QStringLiteral("events"), events);
    const QString modified = m_dir.filePath(QStringLiteral("modified.json"));
    QFile out(modified);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(json).toJson());
    out.close();
    r = runCli({"diff", path, modified});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QLatin1StringView("client 1: 'both.json' saw shutdown wr then eof "
                                              "then close; 'modified.json' saw shutdown wr then "
                                              "close")),
             qPrintable(r.out));

    r = runCli({"diff", path, m_dir.filePath(QStringLiteral("missing.json"))});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.err.contains(QLatin1StringView("missing.json")));
}

void TestReplay::diffComparesPayload()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    // Each action says when it returned.
    for (const QJsonValue &v : json.value(QStringLiteral("actions")).toArray())
        QVERIFY(v.toObject().contains(QStringLiteral("end_ns")));
    // The server's reply, as long as before but other bytes, on both ends.
    QJsonArray payloads;
    for (const QJsonValue &v : json.value(QStringLiteral("payloads")).toArray()) {
        QJsonObject p = v.toObject();
        if (QByteArray::fromBase64(p.value(QStringLiteral("data")).toString().toLatin1())
            == "Message received.\n") {
            p.insert(QStringLiteral("data"),
                     QString::fromLatin1(QByteArray("Message RECEIVED.\n").toBase64()));
        }
        payloads.append(p);
    }
    json.insert(QStringLiteral("payloads"), payloads);
    const QString other = m_dir.filePath(QStringLiteral("other-bytes.json"));
    QFile out(other);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(json).toJson());
    out.close();

    Result r = runCli({"diff", path, other});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    r = runCli({"diff", path, other, "--compare", "payload"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QLatin1StringView(
                 "client 1 received: the bytes differ from offset 8: 'both.json' \"received.\\n\" "
                 "(72 65 63 65 69 76 65 64 2e 0a), 'other-bytes.json' \"RECEIVED.\\n\" (52 45 43 "
                 "45 49 56 45 44 2e 0a)")),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QLatin1StringView("server 1 sent: the bytes differ from offset 8")),
             qPrintable(r.out));
    r = runCli({"diff", path, path, "--compare", "payload"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.startsWith(QLatin1StringView("equivalent: the same teardown, TCP states and "
                                               "bytes")));
}

void TestReplay::diffCallsARacedCloseOrderARace()
{
    // A client end that shut down its write side 0.1 ms after the peer's FIN arrived (the FINs
    // crossed), and one whose FIN went 10 ms before the peer's (TIME_WAIT at close).
    const auto session = [](bool crossed) {
        Session s;
        s.wallClockStart = QDateTime::currentDateTimeUtc();
        s.endpoints.append(
            {Side::Client, 1, "127.0.0.1:40000", "127.0.0.1:5555", "127.0.0.1:5555"});
        const auto add = [&s](qint64 us, EventKind kind, TcpState state = TcpState::Unknown) {
            Event e;
            e.tNs = us * 1000;
            e.side = Side::Client;
            e.conn = 1;
            e.kind = kind;
            e.how = kind == EventKind::Shutdown ? ShutdownHow::Write : ShutdownHow::None;
            e.state = state;
            s.events.append(e);
        };
        if (crossed)
            add(1900, EventKind::State, TcpState::CloseWait);
        add(2000, EventKind::Shutdown);
        add(crossed ? 3000 : 12'000, EventKind::Eof);
        add(13'000, EventKind::Close);
        if (!crossed)
            add(13'000, EventKind::State, TcpState::TimeWait);
        return s;
    };
    const QString a = m_dir.filePath(QStringLiteral("crossed.json"));
    const QString b = m_dir.filePath(QStringLiteral("first.json"));
    QString error;
    QVERIFY2(session(true).save(a, &error) && session(false).save(b, &error), qPrintable(error));
    Result r = runCli({"diff", a, b});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QCOMPARE(r.out,
             QStringLiteral("equivalent: the same teardown, TCP states and byte counts on every "
                            "connection end\nrace, not a difference: client 1 states: "
                            "'crossed.json' saw CLOSE_WAIT; 'first.json' saw TIME_WAIT (who "
                            "closed first raced: the two FINs were 0.10 ms apart in the "
                            "'crossed.json')\n"));
    r = runCli({"diff", a, b, "--strict"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.startsWith(QLatin1StringView("client 1 states: 'crossed.json' saw CLOSE_WAIT; "
                                                "'first.json' saw TIME_WAIT (who closed first "
                                                "raced")),
             qPrintable(r.out));
    // The other way round nothing raced in A, the reference: a difference.
    r = runCli({"diff", b, a});
    QCOMPARE(r.exitCode, 1);
}

void TestReplay::pythonExportDoesTheSameHalfClose()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    const QString script = m_dir.filePath(QStringLiteral("client.py"));
    Result r = runCli({"export", path, "--to", "python", script});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    QProcess server;
    const QString serverSession = m_dir.filePath(QStringLiteral("server.json"));
    server.start(QStringLiteral(FINSCOPE_CLI),
                 {"server",
                  "0",
                  "read-until-eof",
                  "send Message received.\\n",
                  "shutdown wr",
                  "close",
                  "--save",
                  serverSession});
    const quint16 port = firstLinePort(&server, "listening on");
    QVERIFY(port != 0);
    QProcess client;
    client.start(python(), {script, QStringLiteral("127.0.0.1"), QString::number(port)});
    QVERIFY(client.waitForFinished(20000));
    const QString out = QString::fromUtf8(client.readAllStandardOutput());
    QVERIFY2(client.exitCode() == 0, qPrintable(out + client.readAllStandardError()));
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);

    // The script said what it did and what it got: the reply after its FIN, then the server's.
    const qsizetype fin = out.indexOf(QLatin1StringView("client 1  shutdown wr"));
    const qsizetype reply = out.indexOf(QLatin1StringView("b'Message received.\\n'"));
    const qsizetype eof = out.indexOf(QLatin1StringView("client 1  eof"));
    QVERIFY2(fin >= 0 && reply > fin && eof > reply, qPrintable(out));
    // The server saw the request, then the client's FIN as its EOF, and answered after it.
    const auto session = Session::load(serverSession, nullptr);
    QVERIFY(session);
    const auto summaries = SessionComparison::summarize(*session);
    const auto *seen = summaryOf(summaries, Side::Server);
    QVERIFY(seen);
    QCOMPARE(seen->bytesReceived, 13);
    QCOMPARE(seen->bytesSent, 18);
    QCOMPARE(seen->teardown, QStringList({"eof", "shutdown wr", "close"}));
    QCOMPARE(session->events.payloadStream(Side::Server, 1, Direction::Received)->data,
             QByteArray("Hello, server"));
}

void TestReplay::pythonExportOfServer()
{
    if (python().isEmpty())
        QSKIP("python3 is not installed");
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    const QString script = m_dir.filePath(QStringLiteral("server.py"));
    Result r = runCli({"export", path, "--to", "python", script, "--side", "server"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QProcess server;
    server.start(python(), {script, QStringLiteral("127.0.0.1"), QStringLiteral("0")});
    const quint16 port = firstLinePort(&server, "listening on");
    QVERIFY(port != 0);
    r = runCli({"client",
                QStringLiteral("127.0.0.1:%1").arg(port),
                "send Hello, server",
                "shutdown wr",
                "read-until-eof",
                "expect-eof",
                "close"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QLatin1StringView("Message received.")), qPrintable(r.out));
    QVERIFY(server.waitForFinished(10000));
    const QString out = QString::fromUtf8(server.readAllStandardOutput());
    QVERIFY2(out.contains(QLatin1StringView("server 1  recv 13 B b'Hello, server'")),
             qPrintable(out));
    QVERIFY2(out.contains(QLatin1StringView("server 1  eof")), qPrintable(out));
}

void TestReplay::textExportIsWhatShowPrints()
{
    const QString path = recordBothSides();
    QVERIFY(!path.isEmpty());
    const Result show = runCli({"show", path});
    QCOMPARE(show.exitCode, 0);
    const Result text = runCli({"export", path, "--to", "text", "-"});
    QCOMPARE(text.exitCode, 0);
    QCOMPARE(text.out, show.out);
    QVERIFY(text.out.contains(QLatin1StringView("server 1  eof")));
    const QString file = m_dir.filePath(QStringLiteral("timeline.txt"));
    QCOMPARE(runCli({"export", path, "--to", "text", file}).exitCode, 0);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), show.out);
}

void TestReplay::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("export to an unknown format names what works")
        << QStringList{"export", "s.json", "--to", "jpeg", "out.jpg"}
        << "exports text, svg, png and python";
    QTest::newRow("export without --to") << QStringList{"export", "s.json", "-"} << "needs --to";
    QTest::newRow("export without OUT")
        << QStringList{"export", "s.json", "--to", "text"} << "FILE and OUT";
    QTest::newRow("replay without file") << QStringList{"replay"} << "needs a FILE";
    QTest::newRow("replay bad speed")
        << QStringList{"replay", "s.json", "--speed", "fast"} << "--speed";
    QTest::newRow("replay speed not a number")
        << QStringList{"replay", "s.json", "--speed", "nan"} << "got 'nan'";
    QTest::newRow("replay bad side")
        << QStringList{"replay", "s.json", "--side", "left"} << "both, client or server";
    QTest::newRow("replay target without client side")
        << QStringList{"replay", "s.json", "--side", "server", "--target", "127.0.0.1:9"}
        << "--side client";
    QTest::newRow("diff with one file") << QStringList{"diff", "a.json"} << "two session files";
    QTest::newRow("diff compares what it knows")
        << QStringList{"diff", "a.json", "b.json", "--compare", "bytes"}
        << "--compare: expected teardown or payload, got 'bytes'";
    QTest::newRow("replay compares what it knows")
        << QStringList{"replay", "s.json", "--compare", "all"} << "expected teardown or payload";
}

void TestReplay::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
