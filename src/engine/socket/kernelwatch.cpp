#include "engine/socket/kernelwatch.h"

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

std::optional<KernelWatch::Change> KernelWatch::sampleTable(std::optional<TcpState> entry)
{
    const TcpState now = entry.value_or(TcpState::Close);
    if (now == m_state)
        return std::nullopt;
    m_state = now;
    Change change;
    change.fields.kind = EventKind::State;
    change.fields.state = now;
    change.text = entry ? QStringLiteral("kernel table after close")
                        : QStringLiteral("gone from the kernel table");
    return change;
}

int KernelWatch::pollIntervalMs(bool open, bool readShutReading, qint64 nowNs) const
{
    if (open && awaitingAck(m_state) && nowNs - m_stateSinceNs < TransitionWatchNs)
        return TransitionPollMs;
    return readShutReading ? ReadShutPollMs : PollIntervalMs;
}

bool KernelWatch::tableTick()
{
    return m_tablePolls > 0 && --m_tablePolls > 0;
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
