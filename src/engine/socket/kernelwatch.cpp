#include "engine/socket/kernelwatch.h"

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

} // namespace finscope
