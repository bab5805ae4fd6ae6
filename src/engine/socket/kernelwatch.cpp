#include "engine/socket/kernelwatch.h"

#include <algorithm>
#include <cerrno>

namespace finscope {

namespace {

bool awaitingAck(TcpState state)
{
    return state == TcpState::FinWait1 || state == TcpState::LastAck || state == TcpState::Closing;
}

} // namespace

std::optional<KernelWatch::Change> KernelWatch::sampleState(TcpState state, qint64 nowNs)
{
    if (state == m_state)
        return std::nullopt;
    m_state = state;
    m_stateSinceNs = nowNs;
    Change change;
    change.fields.kind = EventKind::State;
    change.fields.state = state;
    return change;
}

std::optional<KernelWatch::Change> KernelWatch::sampleQueues(const native::KernelQueues &queues,
                                                             qint64 userQueue)
{
    if (queues.outq == m_queues.outq && queues.inq == m_queues.inq && userQueue == m_userQueue)
        return std::nullopt;
    m_queues = queues;
    m_userQueue = userQueue;
    Change change;
    change.fields.kind = EventKind::Queue;
    change.fields.bytes = userQueue;
    change.fields.outq = queues.outq;
    change.fields.inq = queues.inq;
    return change;
}

std::optional<KernelWatch::Change> KernelWatch::sampleTable(const sockdiag::TableEntry &entry,
                                                            qint64 nowNs)
{
    const TcpState now = entry.found ? entry.state : TcpState::Close;
    if (now == TcpState::Close)
        m_tableWatch = TableWatch::Over;
    if (now == TcpState::TimeWait && entry.timeWaitMs >= 0 && m_timeWaitEndsNs < 0)
        m_timeWaitEndsNs = nowNs + qint64(entry.timeWaitMs) * 1'000'000;
    if (now == m_state)
        return std::nullopt;
    m_state = now;
    m_stateSinceNs = nowNs;
    Change change;
    change.fields.kind = EventKind::State;
    change.fields.state = now;
    if (!entry.found) {
        change.text = QStringLiteral("gone from the kernel table");
    } else if (now == TcpState::TimeWait && entry.timeWaitMs >= 0) {
        change.fields.expiresMs = entry.timeWaitMs;
        change.text = QStringLiteral("kernel table after close: the kernel drops it in %1 s")
                          .arg(double(entry.timeWaitMs) / 1000, 0, 'f', 1);
    } else {
        change.text = QStringLiteral("kernel table after close");
    }
    return change;
}

int KernelWatch::pollIntervalMs(bool open, bool readShutReading, qint64 nowNs) const
{
    if (open && awaitingAck(m_state) && nowNs - m_stateSinceNs < TransitionWatchNs)
        return TransitionPollMs;
    return readShutReading ? ReadShutPollMs : PollIntervalMs;
}

bool KernelWatch::quiet(bool notified, bool userQueueEmpty, bool readShutReading) const
{
    if (!notified || !userQueueEmpty || readShutReading || m_queues.outq != 0)
        return false;
    switch (m_state) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait2:
    case TcpState::Close:
        return true;
    default:
        return false;
    }
}

void KernelWatch::watchTable(qint64 nowNs)
{
    m_tableWatch = TableWatch::Watching;
    m_tableSinceNs = nowNs;
    m_stateSinceNs = nowNs;
}

std::optional<KernelWatch::Change> KernelWatch::tableUnavailable(const QString &error)
{
    m_tableWatch = TableWatch::Off;
    if (error.isEmpty())
        return std::nullopt;
    // Said once (the watch is over): without sock_diag no TIME_WAIT can be found, and the record
    // says why.
    Change change;
    change.fields.kind = EventKind::Error;
    change.text = QStringLiteral("the kernel table is not watched after close: %1").arg(error);
    return change;
}

int KernelWatch::nextTableLookupMs(qint64 nowNs) const
{
    if (m_tableWatch != TableWatch::Watching)
        return -1;
    if (m_state == TcpState::TimeWait && m_timeWaitEndsNs >= 0) {
        // Nothing changes in TIME_WAIT but its end: look again when the timer fires.
        const qint64 leftMs = (m_timeWaitEndsNs - nowNs) / 1'000'000;
        if (leftMs < -LateExpiryMs)
            return -1; // long past its timer and still listed: stop rather than poll forever
        return int(std::max<qint64>(leftMs, 0)) + ExpiryMarginMs;
    }
    if (nowNs - m_tableSinceNs > TableWatchNs)
        return -1;
    if (awaitingAck(m_state) && nowNs - m_stateSinceNs < TransitionWatchNs)
        return TransitionPollMs;
    return PollIntervalMs;
}

bool KernelWatch::settledAfterClose() const
{
    return m_tableWatch != TableWatch::Watching || m_state == TcpState::TimeWait
           || m_state == TcpState::Close;
}

bool KernelWatch::peerHasSentFin(TcpState state)
{
    switch (state) {
    case TcpState::CloseWait:
    case TcpState::LastAck:
    case TcpState::Closing:
    case TcpState::TimeWait:
    case TcpState::Close:
        return true;
    default:
        return false;
    }
}

bool KernelWatch::finCounted(quint64 sequenceReceived, qint64 bytesRead, qint64 unread)
{
    return bytesRead >= 0 && unread >= 0 && sequenceReceived > quint64(bytesRead + unread);
}

bool KernelWatch::closedByReset(TcpState state, bool errorPending, bool retransmitting)
{
    return state == TcpState::Close && errorPending && !retransmitting;
}

KernelWatch::ResetCause
KernelWatch::resetCause(TcpState before, bool readShut, bool writeShut, qint64 unread)
{
    ResetCause cause;
    cause.err = before == TcpState::CloseWait ? EPIPE : ECONNRESET;
    // RFC 1122 4.2.2.13: data arriving for a socket that can no longer read it, once our FIN is
    // out, is answered by this end's own kernel with RST (TcpExt TCPAbortOnData); Linux then
    // reports ECONNRESET here as if the peer had reset.
    const bool finOut = before == TcpState::FinWait1 || before == TcpState::FinWait2;
    if (readShut && writeShut && finOut) {
        cause.origin = RstOrigin::Local;
        cause.why = QStringLiteral("data arrived after this end's SHUT_RD with its FIN out: this "
                                   "end's kernel sent RST and reset the connection");
        return cause;
    }
    cause.origin = RstOrigin::Peer;
    cause.why
        = unread > 0
              ? QStringLiteral("the peer's RST arrived, %1 received bytes still unread").arg(unread)
              : QStringLiteral("the peer's RST arrived");
    return cause;
}

} // namespace finscope
