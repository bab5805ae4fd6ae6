// SessionComparison on hand-built sessions: what counts as the same teardown and what does not.

#include "engine/session/sessioncomparison.h"

#include <QTest>

#include <cerrno>
#include <functional>

using namespace finscope;

namespace {

constexpr qint64 Ms = 1'000'000;

// Builds one session's events in time order.
class Builder
{
public:
    Builder &add(Side side, EventKind kind, qint64 tMs, std::function<void(Event &)> fill = {})
    {
        Event e;
        e.side = side;
        e.conn = 1;
        e.kind = kind;
        e.tNs = tMs * Ms;
        if (fill)
            fill(e);
        if ((kind == EventKind::Send || kind == EventKind::Recv) && e.bytes > 0) {
            Direction d = kind == EventKind::Send ? Direction::Sent : Direction::Received;
            const PayloadStream *s = m_session.events.payloadStream(side, 1, d);
            e.offset = s ? s->total : 0;
            m_session.events.append(e, QByteArray(qsizetype(e.bytes), 'x'));
        } else {
            m_session.events.append(e);
        }
        return *this;
    }
    // A send or recv of these very bytes.
    Builder &data(Side side, EventKind kind, qint64 tMs, const QByteArray &bytes)
    {
        Event e;
        e.side = side;
        e.conn = 1;
        e.kind = kind;
        e.tNs = tMs * Ms;
        e.bytes = bytes.size();
        const Direction d = kind == EventKind::Send ? Direction::Sent : Direction::Received;
        const PayloadStream *s = m_session.events.payloadStream(side, 1, d);
        e.offset = s ? s->total : 0;
        m_session.events.append(e, bytes);
        return *this;
    }
    // An event at a time finer than a millisecond.
    Builder &atUs(Side side, EventKind kind, qint64 tUs, std::function<void(Event &)> fill = {})
    {
        return add(side, kind, 0, [tUs, fill](Event &e) {
            e.tNs = tUs * 1000;
            if (fill)
                fill(e);
        });
    }
    Builder &bytes(Side side, EventKind kind, qint64 tMs, qint64 n)
    {
        return add(side, kind, tMs, [n](Event &e) { e.bytes = n; });
    }
    Builder &state(Side side, TcpState state, qint64 tMs)
    {
        return add(side, EventKind::State, tMs, [state](Event &e) { e.state = state; });
    }
    Builder &shutdownWr(Side side, qint64 tMs)
    {
        return add(side, EventKind::Shutdown, tMs, [](Event &e) { e.how = ShutdownHow::Write; });
    }
    Builder &rst(Side side, qint64 tMs, int err)
    {
        return add(side, EventKind::Rst, tMs, [err](Event &e) { e.err = err; });
    }
    Session session() const { return m_session; }

private:
    Session m_session;
};

// The README half-close seen from both ends. Variations change one thing at a time.
struct HalfClose
{
    qint64 requestChunks = 1;    // the 13-byte request arrives in this many recv calls
    bool finWait1Sampled = true; // the client's FIN_WAIT1 was caught by a sample
    bool serverReplies = true;
    bool clientSeesReset = false; // the server aborts instead of shutting down
    int resetErrno = ECONNRESET;
    bool serverCloseWait = true;
    bool timeWaitAtClose = true; // the close's own kernel-table lookup found TIME_WAIT
    bool withServer = true;
};

Session halfClose(const HalfClose &v)
{
    const Side c = Side::Client;
    const Side s = Side::Server;
    Builder b;
    b.add(c, EventKind::Connect, 0).state(c, TcpState::Established, 0);
    if (v.withServer)
        b.add(s, EventKind::Accept, 0).state(s, TcpState::Established, 0);
    b.bytes(c, EventKind::Send, 1, 13).shutdownWr(c, 2);
    if (v.finWait1Sampled)
        b.state(c, TcpState::FinWait1, 2);
    b.state(c, TcpState::FinWait2, 3);
    if (v.withServer) {
        for (qint64 i = 0; i < v.requestChunks; ++i)
            b.bytes(s, EventKind::Recv, 4, i == 0 ? 13 - (v.requestChunks - 1) : 1);
        b.add(s, EventKind::Eof, 5);
        if (v.serverCloseWait)
            b.state(s, TcpState::CloseWait, 5).state(s, TcpState::CloseWait, 6);
        if (v.serverReplies)
            b.bytes(s, EventKind::Send, 7, 18);
        if (v.clientSeesReset) {
            b.add(s, EventKind::Abort, 8);
        } else {
            b.shutdownWr(s, 8).state(s, TcpState::LastAck, 8).add(s, EventKind::Close, 9);
        }
    }
    if (v.serverReplies)
        b.bytes(c, EventKind::Recv, 10, 18);
    if (v.clientSeesReset)
        b.rst(c, 11, v.resetErrno);
    else
        b.add(c, EventKind::Eof, 11);
    b.state(c, TcpState::Close, 11).add(c, EventKind::Close, 12);
    if (!v.timeWaitAtClose)
        b.state(c, TcpState::FinWait2, 12); // as if the peer's FIN had not come yet
    b.state(c, TcpState::TimeWait, 60);
    Session session = b.session();
    session.endpoints.append({c, 1, "127.0.0.1:40000", "127.0.0.1:5555", "127.0.0.1:5555"});
    if (v.withServer)
        session.endpoints.append({s, 1, "127.0.0.1:5555", "127.0.0.1:40000", "127.0.0.1:5555"});
    return session;
}

// Both ends close: the client sends its FIN at 2 ms, the server `serverFinUs` later in the
// recording. With serverFirst the server's FIN goes first instead (as a replay may find it).
Session crossingFins(qint64 serverFinUs, bool serverFirst)
{
    const Side c = Side::Client;
    const Side s = Side::Server;
    const auto wr = [](Event &e) { e.how = ShutdownHow::Write; };
    const auto state = [](TcpState st) { return [st](Event &e) { e.state = st; }; };
    const Side first = serverFirst ? s : c;
    const Side second = serverFirst ? c : s;
    Builder b;
    b.add(c, EventKind::Connect, 0).add(s, EventKind::Accept, 0);
    b.atUs(first, EventKind::Shutdown, 2000, wr)
        .atUs(second, EventKind::State, 2000 + serverFinUs / 4, state(TcpState::CloseWait))
        .atUs(second, EventKind::Eof, 2000 + serverFinUs / 2)
        .atUs(second, EventKind::Shutdown, 2000 + serverFinUs, wr)
        .atUs(first, EventKind::Eof, 2000 + serverFinUs + 100)
        .atUs(first, EventKind::Close, 2000 + serverFinUs + 200)
        .atUs(first, EventKind::State, 2000 + serverFinUs + 200, state(TcpState::TimeWait))
        .atUs(second, EventKind::Close, 2000 + serverFinUs + 300);
    Session session = b.session();
    session.endpoints.append({c, 1, "127.0.0.1:40000", "127.0.0.1:5555", "127.0.0.1:5555"});
    session.endpoints.append({s, 1, "127.0.0.1:5555", "127.0.0.1:40000", "127.0.0.1:5555"});
    return session;
}

// A session whose client sent `sent` and whose server received it.
Session carrying(const QByteArray &sent)
{
    Builder b;
    b.data(Side::Client, EventKind::Send, 1, sent).data(Side::Server, EventKind::Recv, 2, sent);
    return b.session();
}

} // namespace

Q_DECLARE_METATYPE(HalfClose)

class TestComparison : public QObject
{
    Q_OBJECT

private slots:
    void differences_data();
    void differences();
    void sideFilterIgnoresTheOtherSide();
    void summaryNormalisesStates();
    void payloadNamesTheFirstDifferingOffset();
    void payloadComparesOnlyWhatBothKept();
    void racedCloseOrderIsARace_data();
    void racedCloseOrderIsARace();
    void raceExcusesOnlyTheCloseOrder();
    void closerThatNeverReadSeesThePeerFinAfterClose_data();
    void closerThatNeverReadSeesThePeerFinAfterClose();
    void localRstWhileOpenIsADifference();
};

void TestComparison::differences_data()
{
    QTest::addColumn<HalfClose>("replay");
    QTest::addColumn<QStringList>("expected"); // each a difference line, in order; empty: same

    QTest::newRow("same session") << HalfClose{} << QStringList{};
    HalfClose v;
    v.requestChunks = 3;
    QTest::newRow("request in three chunks is the same") << v << QStringList{};
    v = {};
    v.finWait1Sampled = false;
    QTest::newRow("FIN_WAIT1 not sampled is the same") << v << QStringList{};
    v = {};
    v.timeWaitAtClose = false;
    QTest::newRow("TIME_WAIT found only by a later poll counts as not seen")
        << v
        << QStringList{
               QStringLiteral("client 1 states: recording saw TIME_WAIT; replay saw nothing")};
    v = {};
    v.clientSeesReset = true;
    QTest::newRow("peer resets instead of shutting down")
        << v
        << QStringList{
               QStringLiteral("client 1: recording saw shutdown wr then eof then close; replay "
                              "saw shutdown wr then rst (ECONNRESET) then close"),
               QStringLiteral("server 1: recording saw eof then shutdown wr then close; replay "
                              "saw eof then abort")};
    v = {};
    v.serverReplies = false;
    QTest::newRow("no reply")
        << v
        << QStringList{QStringLiteral("client 1 received: 18 bytes in the recording, 0 in the "
                                      "replay"),
                       QStringLiteral("server 1 sent: 18 bytes in the recording, 0 in the replay")};
    v = {};
    v.serverCloseWait = false;
    QTest::newRow("server never in CLOSE_WAIT")
        << v
        << QStringList{
               QStringLiteral("server 1 states: recording saw CLOSE_WAIT; replay saw nothing")};
    v = {};
    v.withServer = false;
    QTest::newRow("server missing")
        << v << QStringList{QStringLiteral("server 1: only in the recording")};
}

void TestComparison::differences()
{
    QFETCH(HalfClose, replay);
    QFETCH(QStringList, expected);
    const SessionComparison comparison(halfClose(HalfClose{}), halfClose(replay));
    QStringList got;
    for (const SessionComparison::Difference &d : comparison.differences())
        got << d.text;
    QCOMPARE(got, expected);
    QCOMPARE(comparison.equivalent(), expected.isEmpty());
    if (expected.isEmpty())
        QCOMPARE(comparison.report(), QStringLiteral("equivalent to the recording"));
    else
        QCOMPARE(comparison.report(), expected.join(u'\n'));
}

void TestComparison::sideFilterIgnoresTheOtherSide()
{
    HalfClose clientOnly;
    clientOnly.withServer = false;
    const Session recording = halfClose(HalfClose{});
    const Session replay = halfClose(clientOnly);
    QVERIFY(SessionComparison(recording, replay, "recording", "replay", Side::Client).equivalent());
    QVERIFY(
        !SessionComparison(recording, replay, "recording", "replay", Side::Server).equivalent());
    // A reset errno that differs (EPIPE when the RST came in CLOSE_WAIT) is shown, not compared.
    HalfClose a;
    a.clientSeesReset = true;
    HalfClose b = a;
    b.resetErrno = EPIPE;
    QVERIFY(SessionComparison(halfClose(a), halfClose(b)).equivalent());
}

void TestComparison::summaryNormalisesStates()
{
    const QList<SessionComparison::Summary> summaries
        = SessionComparison::summarize(halfClose(HalfClose{}));
    QCOMPARE(summaries.size(), 2);
    const SessionComparison::Summary &client = summaries.at(0);
    QCOMPARE(client.side, Side::Client);
    QCOMPARE(client.teardown, QStringList({"shutdown wr", "eof", "close"}));
    QCOMPARE(client.states, QStringList{"TIME_WAIT"});
    QCOMPARE(client.bytesSent, 13);
    QCOMPARE(client.bytesReceived, 18);
    const SessionComparison::Summary &server = summaries.at(1);
    QCOMPARE(server.states, QStringList{"CLOSE_WAIT"}); // two samples collapsed
    QCOMPARE(server.bytesReceived, 13);
}

void TestComparison::payloadNamesTheFirstDifferingOffset()
{
    const Session recording = carrying("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n");
    const Session replay = carrying("HTTP/1.1 404 No\r\nServer: x\r\n\r\n");
    // Same length: the default comparison does not look at the bytes.
    QVERIFY(SessionComparison(recording, replay).equivalent());
    SessionComparison::Options payload;
    payload.payload = true;
    const SessionComparison comparison(recording, replay, "recording", "replay", {}, payload);
    QStringList got;
    for (const SessionComparison::Difference &d : comparison.differences())
        got << d.text;
    QCOMPARE(got,
             QStringList({"client 1 sent: the bytes differ from offset 9: recording \"200 "
                          "OK\\r\\nServer: \"... (32 30 30 20 4f 4b 0d 0a 53 65 72 76 65 72 3a "
                          "20...), replay \"404 No\\r\\nServer: \"... (34 30 34 20 4e 6f 0d 0a "
                          "53 65 72 76 65 72 3a 20...)",
                          "server 1 received: the bytes differ from offset 9: recording \"200 "
                          "OK\\r\\nServer: \"... (32 30 30 20 4f 4b 0d 0a 53 65 72 76 65 72 3a "
                          "20...), replay \"404 No\\r\\nServer: \"... (34 30 34 20 4e 6f 0d 0a "
                          "53 65 72 76 65 72 3a 20...)"}));
    // The same bytes are equivalent with the payload compared too.
    QVERIFY(SessionComparison(recording, recording, "a", "b", {}, payload).equivalent());
}

void TestComparison::payloadComparesOnlyWhatBothKept()
{
    // One session stopped keeping bytes at the cap: the kept prefix agrees, the counts agree.
    Session capped = carrying("abcdefgh");
    for (const auto &[side, direction] :
         {std::pair(Side::Client, Direction::Sent), std::pair(Side::Server, Direction::Received)}) {
        PayloadStream cut = *capped.events.payloadStream(side, 1, direction);
        cut.data.truncate(3);
        capped.events.setPayloadStream(cut);
    }
    SessionComparison::Options payload;
    payload.payload = true;
    QVERIFY(SessionComparison(carrying("abcdefgh"), capped, "a", "b", {}, payload).equivalent());
    // A difference inside the kept prefix is still found; one past it cannot be.
    QVERIFY(!SessionComparison(carrying("abXdefgh"), capped, "a", "b", {}, payload).equivalent());
    QVERIFY(SessionComparison(carrying("abcdXfgh"), capped, "a", "b", {}, payload).equivalent());
}

void TestComparison::racedCloseOrderIsARace_data()
{
    QTest::addColumn<qint64>("finsApartUs");
    QTest::addColumn<bool>("raced");
    QTest::newRow("FINs 0.5 ms apart: a race") << qint64(500) << true;
    QTest::newRow("FINs 2.9 ms apart: a race") << qint64(2900) << true;
    QTest::newRow("FINs 10 ms apart: who closed first is a difference") << qint64(10'000) << false;
}

void TestComparison::racedCloseOrderIsARace()
{
    QFETCH(qint64, finsApartUs);
    QFETCH(bool, raced);
    const Session recording = crossingFins(finsApartUs, false);
    const Session replay = crossingFins(200, true); // the server's FIN went first this time
    const QStringList expected{
        "client 1: recording saw shutdown wr then eof then close; replay saw eof then shutdown "
        "wr then close",
        "client 1 states: recording saw TIME_WAIT; replay saw CLOSE_WAIT",
        "server 1: recording saw eof then shutdown wr then close; replay saw shutdown wr then eof "
        "then close",
        "server 1 states: recording saw CLOSE_WAIT; replay saw TIME_WAIT"};
    const QString why = QStringLiteral(" (who closed first raced: the two FINs were %1 ms apart "
                                       "in the recording)")
                            .arg(double(finsApartUs) / 1000, 0, 'f', 2);

    const SessionComparison lenient(recording, replay);
    QStringList differences;
    for (const SessionComparison::Difference &d : lenient.differences())
        differences << d.text;
    QStringList races;
    for (const SessionComparison::Difference &d : lenient.races())
        races << d.text;
    if (raced) {
        QVERIFY2(lenient.equivalent(), qPrintable(lenient.report()));
        QStringList explained;
        for (const QString &line : expected)
            explained << line + why;
        QCOMPARE(races, explained);
        QVERIFY(lenient.report().startsWith(
            QLatin1StringView("equivalent to the recording\nrace, not a difference: client 1: ")));
    } else {
        QCOMPARE(differences, expected);
        QVERIFY(races.isEmpty());
    }

    SessionComparison::Options strict;
    strict.strict = true;
    const SessionComparison strictly(recording, replay, "recording", "replay", {}, strict);
    QVERIFY(!strictly.equivalent());
    QVERIFY(strictly.races().isEmpty());
    QCOMPARE(strictly.differences().size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(strictly.differences().at(i).text, expected.at(i) + (raced ? why : QString()));
}

void TestComparison::raceExcusesOnlyTheCloseOrder()
{
    // The recording's FINs crossed, but the replay's server resets: the client's RST is news.
    const Session recording = crossingFins(500, false);
    Session replay = crossingFins(500, false);
    Builder b;
    b.add(Side::Client, EventKind::Connect, 0)
        .add(Side::Client, EventKind::Shutdown, 2, [](Event &e) { e.how = ShutdownHow::Write; })
        .rst(Side::Client, 3, ECONNRESET)
        .add(Side::Client, EventKind::Close, 4);
    Session reset = b.session();
    reset.endpoints = recording.endpoints;
    const SessionComparison comparison(recording, reset, "recording", "replay", Side::Client);
    QCOMPARE(comparison.differences().size(), 1);
    QCOMPARE(comparison.differences().first().text,
             QStringLiteral("client 1: recording saw shutdown wr then eof then close; replay saw "
                            "shutdown wr then rst (ECONNRESET) then close"));
    // TIME_WAIT against nothing is what the race explains.
    QCOMPARE(comparison.races().size(), 1);
    QVERIFY(comparison.races().first().text.startsWith(
        QLatin1StringView("client 1 states: recording saw TIME_WAIT; replay saw nothing")));
    QVERIFY(SessionComparison(recording, replay).report()
            == QStringLiteral("equivalent to the recording"));
}

void TestComparison::closerThatNeverReadSeesThePeerFinAfterClose_data()
{
    QTest::addColumn<TcpState>("afterFinWait");
    QTest::addColumn<qint64>("seenAfterUs");
    QTest::addColumn<bool>("raced");
    QTest::newRow("FIN_WAIT2 -> TIME_WAIT 0.6 ms later: a race")
        << TcpState::TimeWait << qint64(600) << true;
    QTest::newRow("FIN_WAIT1 -> CLOSING 0.3 ms later: a race")
        << TcpState::Closing << qint64(300) << true;
    QTest::newRow("TIME_WAIT 20 ms later: the client closed first")
        << TcpState::TimeWait << qint64(20'000) << false;
}

// Review of issue 10, (c): a client that closes first and never reads learns of the peer's FIN
// only from its kernel-table states after close. A recording of only the client, so the race
// must come from this end's own record.
void TestComparison::closerThatNeverReadSeesThePeerFinAfterClose()
{
    QFETCH(TcpState, afterFinWait);
    QFETCH(qint64, seenAfterUs);
    QFETCH(bool, raced);
    const Side c = Side::Client;
    const auto state = [](TcpState st, Via via) {
        return [st, via](Event &e) {
            e.state = st;
            e.via = via;
        };
    };
    Builder recorded;
    recorded.add(c, EventKind::Connect, 0)
        .state(c, TcpState::Established, 0)
        .atUs(c, EventKind::Close, 2000)
        .atUs(c,
              EventKind::State,
              2000,
              state(afterFinWait == TcpState::Closing ? TcpState::FinWait1 : TcpState::FinWait2,
                    Via::Call))
        .atUs(c, EventKind::State, 2000 + seenAfterUs, state(afterFinWait, Via::Poll));
    // The replay: the server's FIN came first; the client closed in CLOSE_WAIT.
    Builder replayed;
    replayed.add(c, EventKind::Connect, 0)
        .state(c, TcpState::Established, 0)
        .atUs(c, EventKind::State, 1000, state(TcpState::CloseWait, Via::Notify))
        .atUs(c, EventKind::Close, 2000)
        .atUs(c, EventKind::State, 2000, state(TcpState::LastAck, Via::Call));

    const SessionComparison comparison(recorded.session(), replayed.session());
    // The polled state after close is not compared (it depends on how long the run lived on);
    // it still tells when the peer's FIN came.
    const QString expected
        = QStringLiteral("client 1 states: recording saw nothing; replay saw CLOSE_WAIT");
    if (raced) {
        QVERIFY2(comparison.equivalent(), qPrintable(comparison.report()));
        QCOMPARE(comparison.races().size(), 1);
        QVERIFY2(comparison.races().first().text.startsWith(expected + " (who closed first raced"),
                 qPrintable(comparison.races().first().text));
    } else {
        QCOMPARE(comparison.differences().size(), 1);
        QCOMPARE(comparison.differences().first().text, expected);
    }
}

// A RST this end's kernel sent after its own close is that close's consequence; one sent while
// the end was open (the peer's late data after SHUT_RDWR) is a teardown the replay must match.
void TestComparison::localRstWhileOpenIsADifference()
{
    const Side c = Side::Client;
    const auto localRst = [](Event &e) { e.origin = RstOrigin::Local; };
    const auto client = [&](bool lateData, bool rstAfterClose) {
        Builder b;
        b.add(c, EventKind::Connect, 0).state(c, TcpState::Established, 0);
        b.add(c, EventKind::Shutdown, 1, [](Event &e) { e.how = ShutdownHow::Both; });
        if (lateData)
            b.add(c, EventKind::Rst, 2, localRst);
        b.add(c, EventKind::Close, 3);
        if (rstAfterClose)
            b.add(c, EventKind::Rst, 3, localRst);
        Session session = b.session();
        session.endpoints.append({c, 1, "127.0.0.1:40000", "127.0.0.1:5555", "127.0.0.1:5555"});
        return session;
    };
    const SessionComparison quiet(client(false, false), client(false, true));
    QVERIFY2(quiet.equivalent(), qPrintable(quiet.report()));
    const SessionComparison late(client(true, false), client(false, false));
    QVERIFY(!late.equivalent());
    QVERIFY2(late.report().contains(QLatin1StringView("rst (local)")), qPrintable(late.report()));
}

QTEST_APPLESS_MAIN(TestComparison)
#include "tst_comparison.moc"
