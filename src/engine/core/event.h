#pragma once

// One observation about a connection end: what the timeline draws and a session stores.

#include <QString>
#include <QtGlobal>

#include <optional>

namespace finscope {

enum class Side : quint8 { Client, Server };

enum class EventKind : quint8 {
    Listen,
    Connect,
    Accept,
    Send,
    Recv,
    Shutdown,
    Eof,
    Rst,
    Error,
    Close,
    Abort,
    State,
    Queue,
};

enum class ShutdownHow : quint8 { None, Read, Write, Both };

// How an event was found: the result of a call the program made, a notification the kernel gave
// the moment it learned something (a FIN or RST arriving), or a sample taken on a timer (up to a
// poll interval late, so its time is not a measured one).
enum class Via : quint8 { Call, Notify, Poll };

// Who sent a RST: the peer (its RST arrived) or this end's own kernel (close or abort with unread
// data, data arriving after our SHUT_RD with our FIN out).
enum class RstOrigin : quint8 { None, Peer, Local };

// Linux's tcpi_state numbering (include/net/tcp_states.h), so the native value maps directly.
enum class TcpState : quint8 {
    Unknown = 0,
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
};

// Kept small and trivially copyable: a session may hold millions of these (see EventStore).
// Which fields are meaningful depends on kind:
//   send/recv      bytes, offset (stream offset of the first byte)
//   shutdown       how
//   state          state
//   queue          bytes = user queue, outq, inq (kernel SIOCOUTQ / SIOCINQ)
//   error          err (errno, 0 when the failure has no errno), text
//   close          bytes = unread received bytes left in the kernel at close
//   rst            origin (peer or local), err (what the program is or was told), text = why
//   connect/accept/listen  text = "local -> peer" addresses
//   state TIME_WAIT (from the kernel table)  expiresMs = the kernel's TIME_WAIT timer at tNs:
//                  the entry is dropped at tNs + expiresMs ms; -1 when not known
// text is an index into the owning store's string table, 0 meaning none.
struct Event
{
    qint64 tNs = 0;
    qint64 bytes = 0;
    qint64 offset = 0;
    qint32 outq = 0;
    qint32 inq = 0;
    quint32 conn = 0;
    quint32 text = 0;
    qint32 err = 0;
    EventKind kind = EventKind::Error;
    Side side = Side::Client;
    ShutdownHow how = ShutdownHow::None;
    TcpState state = TcpState::Unknown;
    qint32 expiresMs = -1;
    Via via = Via::Call;
    RstOrigin origin = RstOrigin::None;
};

QString sideName(Side side);
std::optional<Side> sideFromName(QStringView name);

QString kindName(EventKind kind);
std::optional<EventKind> kindFromName(QStringView name);

QString howName(ShutdownHow how); // "rd", "wr", "rdwr"
std::optional<ShutdownHow> howFromName(QStringView name);

QString viaName(Via via); // "call", "notify", "poll"
std::optional<Via> viaFromName(QStringView name);

QString originName(RstOrigin origin); // "peer", "local"
std::optional<RstOrigin> originFromName(QStringView name);

QString stateName(TcpState state); // "ESTABLISHED", "FIN_WAIT2", ...
std::optional<TcpState> stateFromName(QStringView name);

QString errnoName(int err); // "ECONNRESET"; "E<number>" when unknown
std::optional<int> errnoFromName(QStringView name);
QString errnoMessage(int err); // strerror text

} // namespace finscope
