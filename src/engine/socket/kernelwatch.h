#pragma once

// The kernel's view of one end as a plain state machine with no socket: it takes samples (the TCP
// state from TCP_INFO, SIOCOUTQ and SIOCINQ, and after close the connection's entry in the kernel
// table) and hands back the state and queue events to record when something changed, and how soon
// to sample again. An ending the kernel notifies before the program asks (an epoll set on
// EPOLLRDHUP | EPOLLERR) belongs here as well, reconciled with what the samples saw.

#include "engine/core/event.h"
#include "engine/socket/nativesocket.h"
#include "engine/socket/sockdiag.h"

#include <QString>

#include <optional>

namespace finscope {

class KernelWatch
{
public:
    // How often the kernel's state and queues are sampled between events, and a late RST looked
    // for.
    static constexpr int PollIntervalMs = 50;
    // After our own SHUT_RD the socket is always readable (recv returns 0), so a notifier would
    // spin: the receive queue is polled instead.
    static constexpr int ReadShutPollMs = 10;
    // While a FIN waits for its ACK the state can change within a fraction of a millisecond:
    // sample closely for a while so a short FIN_WAIT2 or LAST_ACK still shows on the timeline.
    static constexpr int TransitionPollMs = 1;
    static constexpr qint64 TransitionWatchNs = 200'000'000;
    // After the last close the connection's entry is looked up in the kernel table (sock_diag,
    // per socket) until it reaches TIME_WAIT or is gone: closely while a FIN waits for its ACK,
    // then every PollIntervalMs, for at most this long (an orphaned FIN_WAIT2 lasts 60 s).
    static constexpr qint64 TableWatchNs = 70'000'000'000;
    // The kernel drops a TIME_WAIT entry when its timer fires, which the timer wheel may do a
    // little late: looked up again this long after the expiry, then every PollIntervalMs.
    static constexpr int ExpiryMarginMs = 20;
    static constexpr int LateExpiryMs = 10'000;

    // An event to record: its fields (kind State or Queue; the endpoint adds time, side and conn)
    // and its text.
    struct Change
    {
        Event fields;
        QString text;
    };

    // A TCP_INFO sample taken at nowNs: a state event when the state changed.
    std::optional<Change> sampleState(TcpState state, qint64 nowNs);
    // A SIOCOUTQ/SIOCINQ sample beside the user queue: a queue event when any of them changed.
    std::optional<Change> sampleQueues(const native::KernelQueues &queues, qint64 userQueue);
    // After close, the connection's entry in the kernel table at nowNs (found=false: gone from
    // it): a state event when it changed; a TIME_WAIT one carries the kernel's timer (expiresMs).
    std::optional<Change> sampleTable(const sockdiag::TableEntry &entry, qint64 nowNs);

    TcpState state() const { return m_state; }
    native::KernelQueues queues() const { return m_queues; }

    // The poll interval. open: the socket is open; readShutReading: reading after our own
    // SHUT_RD. A state that waits for the ACK of a FIN is sampled closely for a while.
    int pollIntervalMs(bool open, bool readShutReading, qint64 nowNs) const;
    // True when nothing can change without the kernel notifying it (DESIGN.md §3), so an open end
    // needs no poll at all: a state that waits for no ACK (ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, or
    // CLOSE on an open fd, which is final) with the kernel's send queue and FinScope's queue
    // empty. The peer's FIN, a reset or a timeout, and data while the program does not read are
    // notified (notified: the endpoint's epoll set is there). A draining send queue, a FIN
    // waiting for its ACK and reading after our own SHUT_RD are polled.
    bool quiet(bool notified, bool userQueueEmpty, bool readShutReading) const;

    // Starts watching the kernel table after the last handle is closed.
    void watchTable(qint64 nowNs);
    // The look-up failed (no sock_diag): the watch ends, the end counts as settled. With the
    // look-up's error, the error event that says so (the same words for every kind of end).
    std::optional<Change> tableUnavailable(const QString &error = {});
    // After a look-up: ms until the next one, or -1 when the watch is over.
    int nextTableLookupMs(qint64 nowNs) const;
    // Closed, and the kernel's entry is in TIME_WAIT or gone (or can no longer be watched): what
    // the CLI waits for before exiting, so the first closer records its TIME_WAIT.
    bool settledAfterClose() const;
    // When the kernel drops the TIME_WAIT entry (session ns), -1 when not known.
    qint64 timeWaitEndsNs() const { return m_timeWaitEndsNs; }

    // True in the states the kernel enters once the peer's FIN has arrived.
    static bool peerHasSentFin(TcpState state);

    // The peer's FIN is in: the sequence space received (tcpi_bytes_received, which counts the FIN
    // as one) is more than the bytes read and those waiting unread. Found so when a RST right
    // behind the FIN took the socket to CLOSE before CLOSE_WAIT could be sampled.
    static bool finCounted(quint64 sequenceReceived, qint64 bytesRead, qint64 unread);

    // An open fd that this end did not close reads CLOSE after a reset, after a timeout, and
    // after both FINs went (TIME_WAIT lives on elsewhere): a reset when an error waits and the
    // kernel was not retransmitting (a timeout retransmits first; both FINs leave no error).
    static bool closedByReset(TcpState state, bool errorPending, bool retransmitting);

    // Who sent a reset this end's kernel took, from the last state before CLOSE and this end's
    // shutdowns; err is what the program is told (EPIPE when the RST came in CLOSE_WAIT).
    struct ResetCause
    {
        RstOrigin origin = RstOrigin::Peer;
        int err = 0;
        QString why;
    };
    static ResetCause resetCause(TcpState before, bool readShut, bool writeShut, qint64 unread);

private:
    TcpState m_state = TcpState::Unknown;
    qint64 m_stateSinceNs = 0;
    native::KernelQueues m_queues;
    qint64 m_userQueue = 0;
    enum class TableWatch { Off, Watching, Over };
    TableWatch m_tableWatch = TableWatch::Off;
    qint64 m_tableSinceNs = 0;
    qint64 m_timeWaitEndsNs = -1;
};

} // namespace finscope
