// KernelWatch without a socket: samples of the TCP state and the kernel queues are fed in by hand,
// and what it hands back (the state and queue events to record, the poll interval) is checked.

#include "engine/socket/kernelwatch.h"

#include <QTest>

#include <cerrno>

using namespace finscope;

namespace {

constexpr qint64 Ms = 1'000'000;

struct QueueSample
{
    qint32 outq;
    qint32 inq;
    qint64 userQueue;
};

} // namespace

Q_DECLARE_METATYPE(QList<QueueSample>)

class TestKernelWatch : public QObject
{
    Q_OBJECT

private slots:
    void stateEventsOnlyWhenTheStateChanges_data();
    void stateEventsOnlyWhenTheStateChanges();
    void queueEventsOnlyWhenAQueueChanges_data();
    void queueEventsOnlyWhenAQueueChanges();
    void pollInterval_data();
    void pollInterval();
    void kernelTableAfterClose();
    void timeWaitCarriesTheKernelsTimer();
    void kernelTableWatchEnds();
    void peerHasSentFin_data();
    void peerHasSentFin();
    void closedByReset_data();
    void closedByReset();
    void resetCause_data();
    void resetCause();
    void failedTableLookUpIsSaid();
    void finCountedBehindAReset();
};

void TestKernelWatch::stateEventsOnlyWhenTheStateChanges_data()
{
    QTest::addColumn<QList<TcpState>>("samples");
    QTest::addColumn<QList<TcpState>>("recorded");
    using S = TcpState;
    QTest::newRow("active close")
        << QList<S>{S::Established, S::Established, S::FinWait1, S::FinWait2, S::FinWait2, S::Close}
        << QList<S>{S::Established, S::FinWait1, S::FinWait2, S::Close};
    QTest::newRow("passive close")
        << QList<S>{S::Established, S::CloseWait, S::CloseWait, S::LastAck, S::Close}
        << QList<S>{S::Established, S::CloseWait, S::LastAck, S::Close};
    QTest::newRow("simultaneous close")
        << QList<S>{S::Established, S::FinWait1, S::Closing, S::Closing, S::Close}
        << QList<S>{S::Established, S::FinWait1, S::Closing, S::Close};
    // TCP_INFO that fails reads Unknown, which is where the watch starts: nothing to record.
    QTest::newRow("a failed sample first")
        << QList<S>{S::Unknown, S::Unknown, S::CloseWait} << QList<S>{S::CloseWait};
    QTest::newRow("back and forth") << QList<S>{S::Established, S::Unknown, S::Established}
                                    << QList<S>{S::Established, S::Unknown, S::Established};
}

void TestKernelWatch::stateEventsOnlyWhenTheStateChanges()
{
    QFETCH(QList<TcpState>, samples);
    QFETCH(QList<TcpState>, recorded);
    KernelWatch watch;
    QList<TcpState> got;
    qint64 now = 0;
    for (TcpState state : samples) {
        now += Ms;
        if (const auto change = watch.sampleState(state, now)) {
            QCOMPARE(change->fields.kind, EventKind::State);
            QVERIFY(change->text.isEmpty());
            got.append(change->fields.state);
        }
        QCOMPARE(watch.state(), state);
    }
    QCOMPARE(got, recorded);
}

void TestKernelWatch::queueEventsOnlyWhenAQueueChanges_data()
{
    QTest::addColumn<QList<QueueSample>>("samples");
    QTest::addColumn<QList<bool>>("recorded");
    QTest::newRow("all empty from the start")
        << QList<QueueSample>{{0, 0, 0}, {0, 0, 0}} << QList<bool>{false, false};
    QTest::newRow("data arrives, then is read")
        << QList<QueueSample>{{0, 12, 0}, {0, 12, 0}, {0, 0, 0}} << QList<bool>{true, false, true};
    QTest::newRow("our queue drains into the kernel's")
        << QList<QueueSample>{{0, 0, 500}, {500, 0, 0}, {500, 0, 0}, {0, 0, 0}}
        << QList<bool>{true, true, false, true};
    QTest::newRow("only the user queue moves")
        << QList<QueueSample>{{7, 7, 1}, {7, 7, 2}, {7, 7, 2}} << QList<bool>{true, true, false};
}

void TestKernelWatch::queueEventsOnlyWhenAQueueChanges()
{
    QFETCH(QList<QueueSample>, samples);
    QFETCH(QList<bool>, recorded);
    KernelWatch watch;
    for (qsizetype i = 0; i < samples.size(); ++i) {
        const QueueSample &s = samples.at(i);
        const auto change = watch.sampleQueues({s.outq, s.inq}, s.userQueue);
        QCOMPARE(change.has_value(), recorded.at(i));
        if (change) {
            QCOMPARE(change->fields.kind, EventKind::Queue);
            QCOMPARE(change->fields.outq, s.outq);
            QCOMPARE(change->fields.inq, s.inq);
            QCOMPARE(change->fields.bytes, s.userQueue);
        }
        QCOMPARE(watch.queues().outq, s.outq);
        QCOMPARE(watch.queues().inq, s.inq);
    }
}

void TestKernelWatch::pollInterval_data()
{
    QTest::addColumn<TcpState>("state");
    QTest::addColumn<qint64>("ageNs"); // how long ago the state was entered
    QTest::addColumn<bool>("open");
    QTest::addColumn<bool>("readShutReading");
    QTest::addColumn<int>("intervalMs");
    using S = TcpState;
    const int slow = KernelWatch::PollIntervalMs;
    const int fast = KernelWatch::TransitionPollMs;
    const int readShut = KernelWatch::ReadShutPollMs;
    QTest::newRow("established") << S::Established << 5 * Ms << true << false << slow;
    QTest::newRow("FIN_WAIT1 just entered") << S::FinWait1 << 0 * Ms << true << false << fast;
    QTest::newRow("FIN_WAIT1 within the window")
        << S::FinWait1 << 199 * Ms << true << false << fast;
    QTest::newRow("FIN_WAIT1 past the window") << S::FinWait1 << 200 * Ms << true << false << slow;
    QTest::newRow("LAST_ACK just entered") << S::LastAck << 1 * Ms << true << false << fast;
    QTest::newRow("CLOSING just entered") << S::Closing << 1 * Ms << true << false << fast;
    QTest::newRow("FIN_WAIT2 waits for no ACK") << S::FinWait2 << 1 * Ms << true << false << slow;
    QTest::newRow("CLOSE_WAIT") << S::CloseWait << 1 * Ms << true << false << slow;
    QTest::newRow("reading after SHUT_RD") << S::Established << 1 * Ms << true << true << readShut;
    QTest::newRow("FIN_WAIT1 beats SHUT_RD polling")
        << S::FinWait1 << 1 * Ms << true << true << fast;
    QTest::newRow("closed: no fast window") << S::FinWait1 << 1 * Ms << false << false << slow;
}

void TestKernelWatch::pollInterval()
{
    QFETCH(TcpState, state);
    QFETCH(qint64, ageNs);
    QFETCH(bool, open);
    QFETCH(bool, readShutReading);
    QFETCH(int, intervalMs);
    KernelWatch watch;
    const qint64 enteredNs = 1000 * Ms;
    watch.sampleState(TcpState::Established, 0);
    watch.sampleState(state, enteredNs);
    QCOMPARE(watch.pollIntervalMs(open, readShutReading, enteredNs + ageNs), intervalMs);
}

void TestKernelWatch::kernelTableAfterClose()
{
    const sockdiag::TableEntry timeWait{true, TcpState::TimeWait, -1};
    const sockdiag::TableEntry gone;
    KernelWatch watch;
    watch.sampleState(TcpState::FinWait2, 0);
    // The fd is gone; the connection lives on in the kernel table.
    auto change = watch.sampleTable(timeWait, 0);
    QVERIFY(change);
    QCOMPARE(change->fields.kind, EventKind::State);
    QCOMPARE(change->fields.state, TcpState::TimeWait);
    QCOMPARE(change->text, QStringLiteral("kernel table after close"));
    QCOMPARE(change->fields.expiresMs, -1);
    QVERIFY(!watch.sampleTable(timeWait, 0));
    change = watch.sampleTable(gone, 0);
    QVERIFY(change);
    QCOMPARE(change->fields.state, TcpState::Close);
    QCOMPARE(change->text, QStringLiteral("gone from the kernel table"));
    QVERIFY(!watch.sampleTable(gone, 0));

    // The fd already read CLOSE (a reset end): gone from the table is no news.
    KernelWatch reset;
    reset.sampleState(TcpState::Close, 0);
    QVERIFY(!reset.sampleTable(gone, 0));
}

void TestKernelWatch::timeWaitCarriesTheKernelsTimer()
{
    KernelWatch watch;
    watch.sampleState(TcpState::FinWait2, 0);
    watch.watchTable(0);
    QVERIFY(!watch.settledAfterClose()); // FIN_WAIT2: the peer's FIN is still to come
    const auto change
        = watch.sampleTable(sockdiag::TableEntry{true, TcpState::TimeWait, 59'800}, 100 * Ms);
    QVERIFY(change);
    QCOMPARE(change->fields.expiresMs, 59'800);
    QVERIFY(change->text.contains(QStringLiteral("drops it in 59.8 s")));
    QCOMPARE(watch.timeWaitEndsNs(), 100 * Ms + 59'800 * Ms);
    QVERIFY(watch.settledAfterClose());
    // The next look-up is when the timer fires, not a poll.
    QCOMPARE(watch.nextTableLookupMs(100 * Ms), 59'800 + KernelWatch::ExpiryMarginMs);
    QCOMPARE(watch.nextTableLookupMs(59'900 * Ms), KernelWatch::ExpiryMarginMs);
    QVERIFY(watch.sampleTable(sockdiag::TableEntry{}, 59'921 * Ms));
    QCOMPARE(watch.nextTableLookupMs(59'921 * Ms), -1);
}

void TestKernelWatch::kernelTableWatchEnds()
{
    KernelWatch watch;
    QCOMPARE(watch.nextTableLookupMs(0), -1); // nothing closed: no watch
    QVERIFY(watch.settledAfterClose());
    watch.sampleState(TcpState::LastAck, 0);
    watch.watchTable(0);
    QVERIFY(!watch.settledAfterClose());
    // Awaiting the ACK of our FIN: closely at first, then at the poll interval.
    QCOMPARE(watch.nextTableLookupMs(Ms), KernelWatch::TransitionPollMs);
    QCOMPARE(watch.nextTableLookupMs(KernelWatch::TransitionWatchNs + Ms),
             KernelWatch::PollIntervalMs);
    // An entry that never settles is watched for a bounded time only.
    QCOMPARE(watch.nextTableLookupMs(KernelWatch::TableWatchNs + Ms), -1);
    // Without sock_diag the watch ends at once and the end counts as settled.
    watch.tableUnavailable();
    QCOMPARE(watch.nextTableLookupMs(Ms), -1);
    QVERIFY(watch.settledAfterClose());
}

void TestKernelWatch::peerHasSentFin_data()
{
    QTest::addColumn<TcpState>("state");
    QTest::addColumn<bool>("finArrived");
    QTest::newRow("ESTABLISHED") << TcpState::Established << false;
    QTest::newRow("FIN_WAIT1") << TcpState::FinWait1 << false;
    QTest::newRow("FIN_WAIT2") << TcpState::FinWait2 << false;
    QTest::newRow("unknown") << TcpState::Unknown << false;
    QTest::newRow("CLOSE_WAIT") << TcpState::CloseWait << true;
    QTest::newRow("LAST_ACK") << TcpState::LastAck << true;
    QTest::newRow("CLOSING") << TcpState::Closing << true;
    QTest::newRow("TIME_WAIT") << TcpState::TimeWait << true;
    QTest::newRow("CLOSE") << TcpState::Close << true;
}

void TestKernelWatch::peerHasSentFin()
{
    QFETCH(TcpState, state);
    QFETCH(bool, finArrived);
    QCOMPARE(KernelWatch::peerHasSentFin(state), finArrived);
}

void TestKernelWatch::closedByReset_data()
{
    QTest::addColumn<TcpState>("state");
    QTest::addColumn<bool>("errorPending");
    QTest::addColumn<bool>("retransmitting");
    QTest::addColumn<bool>("reset");
    QTest::newRow("CLOSE with an error waiting: a reset")
        << TcpState::Close << true << false << true;
    QTest::newRow("CLOSE after both FINs: no error") << TcpState::Close << false << false << false;
    QTest::newRow("CLOSE after retransmitting: a timeout")
        << TcpState::Close << true << true << false;
    QTest::newRow("still open") << TcpState::CloseWait << true << false << false;
}

void TestKernelWatch::closedByReset()
{
    QFETCH(TcpState, state);
    QFETCH(bool, errorPending);
    QFETCH(bool, retransmitting);
    QFETCH(bool, reset);
    QCOMPARE(KernelWatch::closedByReset(state, errorPending, retransmitting), reset);
}

void TestKernelWatch::resetCause_data()
{
    QTest::addColumn<TcpState>("before");
    QTest::addColumn<bool>("readShut");
    QTest::addColumn<bool>("writeShut");
    QTest::addColumn<RstOrigin>("origin");
    QTest::addColumn<int>("err");
    QTest::newRow("peer's RST while open")
        << TcpState::Established << false << false << RstOrigin::Peer << ECONNRESET;
    QTest::newRow("peer's RST in CLOSE_WAIT: EPIPE")
        << TcpState::CloseWait << false << false << RstOrigin::Peer << EPIPE;
    QTest::newRow("data after SHUT_RDWR, FIN acknowledged: our own kernel")
        << TcpState::FinWait2 << true << true << RstOrigin::Local << ECONNRESET;
    QTest::newRow("data after SHUT_RDWR, FIN in flight: our own kernel")
        << TcpState::FinWait1 << true << true << RstOrigin::Local << ECONNRESET;
    // After SHUT_RD alone Linux queues later data: a RST then is the peer's.
    QTest::newRow("SHUT_RD alone")
        << TcpState::Established << true << false << RstOrigin::Peer << ECONNRESET;
    QTest::newRow("SHUT_WR alone")
        << TcpState::FinWait2 << false << true << RstOrigin::Peer << ECONNRESET;
}

void TestKernelWatch::resetCause()
{
    QFETCH(TcpState, before);
    QFETCH(bool, readShut);
    QFETCH(bool, writeShut);
    QFETCH(RstOrigin, origin);
    QFETCH(int, err);
    const KernelWatch::ResetCause cause = KernelWatch::resetCause(before, readShut, writeShut, 18);
    QCOMPARE(cause.origin, origin);
    QCOMPARE(cause.err, err);
    QVERIFY(!cause.why.isEmpty());
    if (origin == RstOrigin::Peer)
        QVERIFY2(cause.why.contains(QLatin1StringView("18")), qPrintable(cause.why));
}

// Endpoint and QtSocketEndpoint record a failed kernel-table look-up in the same words: the
// sentence comes from here.
void TestKernelWatch::failedTableLookUpIsSaid()
{
    KernelWatch watch;
    watch.watchTable(0);
    const auto said = watch.tableUnavailable(QStringLiteral("sock_diag: Operation not permitted"));
    QVERIFY(said);
    QCOMPARE(said->fields.kind, EventKind::Error);
    QCOMPARE(said->text,
             QStringLiteral("the kernel table is not watched after close: sock_diag: Operation "
                            "not permitted"));
    QVERIFY(watch.settledAfterClose());
    QCOMPARE(watch.nextTableLookupMs(Ms), -1);
    QVERIFY(!watch.tableUnavailable()); // no error to tell: nothing recorded
}

// tcpi_bytes_received counts the peer's FIN as one: measured on Linux 6.x, "hello" then FIN
// reads 6, "hello" then RST reads 5.
void TestKernelWatch::finCountedBehindAReset()
{
    QVERIFY(KernelWatch::finCounted(6, 0, 5));
    QVERIFY(KernelWatch::finCounted(6, 5, 0));
    QVERIFY(KernelWatch::finCounted(1, 0, 0));
    QVERIFY(!KernelWatch::finCounted(5, 0, 5));
    QVERIFY(!KernelWatch::finCounted(5, 3, 2));
    QVERIFY(!KernelWatch::finCounted(0, 0, 0));
}

QTEST_APPLESS_MAIN(TestKernelWatch)
#include "tst_kernelwatch.moc"
