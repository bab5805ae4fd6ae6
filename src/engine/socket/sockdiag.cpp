#include "engine/socket/sockdiag.h"

#include <QNetworkInterface>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace finscope::sockdiag {

namespace {

// idiag_timer values (net/ipv4/inet_diag.c): 3 is the TIME_WAIT timer.
constexpr quint8 TimeWaitTimer = 3;

// The address in the request's id: IPv4 in the first word, IPv6 in all four, network order.
void putAddress(const QHostAddress &address, __be32 *words)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(words, bytes.c, 16);
    } else {
        words[0] = htonl(address.toIPv4Address());
    }
}

bool fail(QString *error, const QString &sentence)
{
    if (error)
        *error = sentence;
    return false;
}

// Closes the netlink socket on every path out.
struct FdGuard
{
    int fd;
    ~FdGuard()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

std::optional<TableEntry>
lookUp(const native::SocketAddress &local, const native::SocketAddress &peer, QString *error)
{
    const bool v6 = local.address.protocol() == QAbstractSocket::IPv6Protocol;
    const FdGuard fd{::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)};
    if (fd.fd < 0) {
        fail(error, QStringLiteral("sock_diag: socket: %1").arg(errnoMessage(errno)));
        return std::nullopt;
    }
    // The kernel answers an exact lookup within the send, so the reply is queued before recv;
    // the timeout only guards against a kernel that never answers.
    const timeval bound{0, 200'000};
    ::setsockopt(fd.fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));

    struct
    {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message{};
    message.header.nlmsg_len = sizeof(message);
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST; // no NLM_F_DUMP: one connection, by its pair
    message.header.nlmsg_seq = 1;
    message.request.sdiag_family = v6 ? AF_INET6 : AF_INET;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0u;
    message.request.id.idiag_sport = htons(local.port);
    message.request.id.idiag_dport = htons(peer.port);
    putAddress(local.address, message.request.id.idiag_src);
    putAddress(peer.address, message.request.id.idiag_dst);
    // A link-local pair is only unique with its interface.
    if (v6 && !local.address.scopeId().isEmpty())
        message.request.id.idiag_if
            = QNetworkInterface::interfaceIndexFromName(local.address.scopeId());
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t n;
    do {
        n = ::sendto(fd.fd,
                     &message,
                     sizeof(message),
                     0,
                     reinterpret_cast<sockaddr *>(&kernel),
                     sizeof(kernel));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        fail(error, QStringLiteral("sock_diag: send: %1").arg(errnoMessage(errno)));
        return std::nullopt;
    }

    alignas(nlmsghdr) char buffer[8192];
    do {
        n = ::recv(fd.fd, buffer, sizeof(buffer), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        fail(error, QStringLiteral("sock_diag: receive: %1").arg(errnoMessage(errno)));
        return std::nullopt;
    }
    int left = int(n);
    for (auto *h = reinterpret_cast<nlmsghdr *>(buffer); NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_type == NLMSG_ERROR) {
            const auto *e = static_cast<const nlmsgerr *>(NLMSG_DATA(h));
            if (e->error == 0)
                continue;
            if (e->error == -ENOENT)
                return TableEntry{}; // no entry: gone from the kernel table
            fail(error, QStringLiteral("sock_diag: %1").arg(errnoMessage(-e->error)));
            return std::nullopt;
        }
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY
            || h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
            continue;
        }
        const auto *msg = static_cast<const inet_diag_msg *>(NLMSG_DATA(h));
        // With no connection for the pair the kernel's lookup falls back to a listening socket
        // on the local port: that is not this connection's entry.
        if (msg->idiag_state == quint8(TcpState::Listen) || msg->id.idiag_dport != htons(peer.port))
            return TableEntry{};
        TableEntry entry;
        entry.found = true;
        entry.state = msg->idiag_state >= quint8(TcpState::Established)
                              && msg->idiag_state <= quint8(TcpState::Closing)
                          ? TcpState(msg->idiag_state)
                          : TcpState::Unknown;
        if (msg->idiag_timer == TimeWaitTimer)
            entry.timeWaitMs = qint32(msg->idiag_expires);
        return entry;
    }
    fail(error, QStringLiteral("sock_diag: the kernel's answer held no entry"));
    return std::nullopt;
}

} // namespace finscope::sockdiag
