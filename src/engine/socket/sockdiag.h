#pragma once

// The kernel's table of TCP connections through sock_diag (NETLINK_SOCK_DIAG), beside
// nativesocket as DESIGN.md §1 allows: one connection looked up by its address pair, so the cost
// is per socket, never a scan of every socket on the machine (as /proc/net/tcp would be). This is
// where TIME_WAIT and the orphaned FIN_WAIT/LAST_ACK states live once the fd is closed.

#include "engine/core/event.h"
#include "engine/socket/nativesocket.h"

#include <QString>

#include <optional>

namespace finscope::sockdiag {

struct TableEntry
{
    bool found = false; // false: the kernel has no entry for the pair (never had, or dropped it)
    TcpState state = TcpState::Unknown;
    // The entry's running timer in ms when it is the TIME_WAIT timer (idiag_timer 3): when the
    // kernel drops the entry. -1 when no such timer runs.
    qint32 timeWaitMs = -1;
};

// Asks the kernel for the connection local<->peer (an exact lookup, NLM_F_REQUEST without
// NLM_F_DUMP). nullopt when the lookup itself failed, *error saying why; found=false when the
// kernel has no such entry. Needs no privilege.
std::optional<TableEntry> lookUp(const native::SocketAddress &local,
                                 const native::SocketAddress &peer,
                                 QString *error = nullptr);

} // namespace finscope::sockdiag
