#include "render/hints.h"

#include "engine/session/eventformat.h"

#include <QCoreApplication>

namespace finscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Hints", text);
}

QString explainState(TcpState state)
{
    switch (state) {
    case TcpState::SynSent:
        return tr("connect() sent a SYN; this end waits for the SYN-ACK. A connect that stays "
                  "here has had no answer (the SYN or its reply was dropped).");
    case TcpState::Established:
        return tr("Both directions are open.");
    case TcpState::FinWait1:
        return tr("This end sent its FIN; the FIN (or data before it) is not acknowledged yet.");
    case TcpState::FinWait2:
        return tr("This end's FIN is acknowledged: it can send no more, but it still receives "
                  "until the peer sends its own FIN.");
    case TcpState::CloseWait:
        return tr("The peer's FIN arrived; this end has not closed. The application may still "
                  "send. A connection stuck here means the program never calls close().");
    case TcpState::LastAck:
        return tr("Both FINs sent; this end waits for the ACK of its own FIN.");
    case TcpState::Closing:
        return tr("Both ends sent FIN at the same time; waiting for the ACK.");
    case TcpState::TimeWait:
        return tr("The end whose FIN went first waits here (2×MSL) so late segments die out. "
                  "Found in the kernel's table: an open fd never reads TIME_WAIT.");
    case TcpState::Close:
        return tr("The kernel has finished with this connection (or it was reset).");
    default:
        return QString();
    }
}

} // namespace

QString explainEvent(const Event &event, const EventStore &store)
{
    QString why;
    switch (event.kind) {
    case EventKind::Send:
        why = tr("The kernel took these bytes into its send queue. An arrow joins them to the "
                 "peer's recv of the same stream offset.");
        break;
    case EventKind::Recv:
        why = tr("The application read these bytes from the kernel's receive queue.");
        break;
    case EventKind::Shutdown:
        why = event.how == ShutdownHow::Read
                  ? tr("SHUT_RD is local on Linux: nothing goes on the wire, and later data is "
                       "still queued and readable.")
                  : tr("A FIN goes out after the last queued byte. The peer reads EOF once it has "
                       "read everything before it; the dashed arrow points at that EOF.");
        break;
    case EventKind::Eof:
        why = tr("recv() returned 0: the peer's FIN was read. This end can still send.");
        break;
    case EventKind::Rst:
        why = event.origin == RstOrigin::Local
                  ? tr("This end's own kernel sent the RST: the peer's recv or send fails with "
                       "ECONNRESET, and what it had not read yet is lost.")
                  : tr("The connection was reset: bytes already received were still readable, "
                       "queued bytes are lost, and every later send fails.");
        break;
    case EventKind::Close:
        if (store.string(event.text).contains(QLatin1StringView("already")))
            why = tr("close() after the connection had ended: nothing goes on the wire.");
        else
            why = event.bytes > 0 ? tr("close() with unread data: the kernel sent RST instead of "
                                       "FIN and discarded what this end had not sent yet.")
                                  : tr("close(): a FIN, unless one went already.");
        break;
    case EventKind::Abort:
        why = tr("SO_LINGER {1,0} and close(): a deliberate RST.");
        break;
    case EventKind::State:
        why = explainState(event.state);
        if (event.state == TcpState::TimeWait) {
            why += event.expiresMs >= 0
                       ? tr(" The kernel's timer said it drops the entry %1 s later (the timer "
                            "fires up to about half a second late): the band ends there, or "
                            "where the entry was seen gone.")
                             .arg(double(event.expiresMs) / 1000, 0, 'f', 1)
                       : tr(" No timer was recorded: the band ends where it was last seen "
                            "(hatched), not where the kernel dropped it.");
        }
        break;
    case EventKind::Queue:
        why = tr("FinScope's own send queue, the kernel's send queue (not yet acknowledged) and "
                 "receive queue (not yet read).");
        break;
    default:
        break;
    }
    if (event.via == Via::Poll)
        why += (why.isEmpty() ? QString() : QStringLiteral(" "))
               + tr("Found by polling (up to 50 ms late).");
    const QString line = formatEvent(event, store).trimmed();
    return why.isEmpty() ? line : line + QStringLiteral("\n") + why;
}

} // namespace finscope
