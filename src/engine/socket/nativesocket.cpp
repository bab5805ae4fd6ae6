#include "engine/socket/nativesocket.h"

#include "engine/core/hostport.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace finscope::native {

namespace {

int errnoOr0(int rc)
{
    return rc == 0 ? 0 : errno;
}

socklen_t toSockaddr(const SocketAddress &from, sockaddr_storage *to)
{
    std::memset(to, 0, sizeof(*to));
    if (from.address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(to);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(from.port);
        const Q_IPV6ADDR bytes = from.address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, 16);
        in6->sin6_scope_id = from.address.scopeId().toUInt();
        return sizeof(sockaddr_in6);
    }
    auto *in4 = reinterpret_cast<sockaddr_in *>(to);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(from.port);
    in4->sin_addr.s_addr = htonl(from.address.toIPv4Address());
    return sizeof(sockaddr_in);
}

std::optional<SocketAddress> fromSockaddr(const sockaddr_storage &from)
{
    SocketAddress out;
    if (from.ss_family == AF_INET) {
        const auto &in4 = reinterpret_cast<const sockaddr_in &>(from);
        out.address = QHostAddress(ntohl(in4.sin_addr.s_addr));
        out.port = ntohs(in4.sin_port);
        return out;
    }
    if (from.ss_family == AF_INET6) {
        const auto &in6 = reinterpret_cast<const sockaddr_in6 &>(from);
        out.address = QHostAddress(reinterpret_cast<const quint8 *>(&in6.sin6_addr));
        out.port = ntohs(in6.sin6_port);
        return out;
    }
    return std::nullopt;
}

} // namespace

QString SocketAddress::toString() const
{
    // An IPv4 client of a dual-stack listener reaches the accepted socket as ::ffff:a.b.c.d: it
    // is that IPv4 address, shown as the client's own end shows it so the two ends match.
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        static constexpr quint8 mappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(bytes.c, mappedPrefix, sizeof(mappedPrefix)) == 0)
            return HostPort::format(QHostAddress(address.toIPv4Address()).toString(), port);
    }
    return HostPort::format(address.toString(), port);
}

int openStream(const QHostAddress &address, int *err)
{
    const int family = address.protocol() == QAbstractSocket::IPv6Protocol ? AF_INET6 : AF_INET;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0 && err)
        *err = errno;
    return fd;
}

int startConnect(int fd, const SocketAddress &to)
{
    sockaddr_storage addr;
    const socklen_t len = toSockaddr(to, &addr);
    int rc;
    do {
        rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), len);
    } while (rc < 0 && errno == EINTR);
    return errnoOr0(rc);
}

int takePendingError(int fd)
{
    int value = 0;
    socklen_t len = sizeof(value);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &len) < 0)
        return errno;
    return value;
}

int setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        return errno;
    return errnoOr0(::fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

IoResult receive(int fd, char *buffer, qint64 size)
{
    ssize_t n;
    do {
        n = ::recv(fd, buffer, size_t(size), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
    return {qint64(n), 0};
}

IoResult send(int fd, const char *data, qint64 size)
{
    ssize_t n;
    do {
        n = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
    return {qint64(n), 0};
}

int shutdown(int fd, ShutdownHow how)
{
    const int native = how == ShutdownHow::Read    ? SHUT_RD
                       : how == ShutdownHow::Write ? SHUT_WR
                                                   : SHUT_RDWR;
    return errnoOr0(::shutdown(fd, native));
}

int setLingerZero(int fd)
{
    const linger value{1, 0};
    return errnoOr0(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof(value)));
}

int close(int fd)
{
    // Linux releases the fd even when close() reports EINTR, so it is never retried.
    return errnoOr0(::close(fd));
}

int duplicate(int fd, int *err)
{
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0 && err)
        *err = errno;
    return copy;
}

namespace {

// Edge-triggered: EPOLLRDHUP stays true after a FIN (and EPOLLIN after our own SHUT_RD), so a
// level-triggered set would fire on every turn of the event loop.
constexpr uint32_t EndingEvents = EPOLLRDHUP | EPOLLERR | EPOLLHUP | EPOLLET;

} // namespace

int openEndingWatch(int fd, int *err)
{
    const int watch = ::epoll_create1(EPOLL_CLOEXEC);
    if (watch < 0) {
        if (err)
            *err = errno;
        return -1;
    }
    epoll_event event{};
    event.events = EndingEvents;
    event.data.fd = fd;
    if (::epoll_ctl(watch, EPOLL_CTL_ADD, fd, &event) < 0) {
        if (err)
            *err = errno;
        ::close(watch);
        return -1;
    }
    return watch;
}

int watchEndingData(int watchFd, int fd, bool on)
{
    epoll_event event{};
    event.events = on ? EndingEvents | EPOLLIN : EndingEvents;
    event.data.fd = fd;
    return ::epoll_ctl(watchFd, EPOLL_CTL_MOD, fd, &event) < 0 ? errno : 0;
}

void drainEndingWatch(int watchFd)
{
    epoll_event events[4];
    int n;
    do {
        n = ::epoll_wait(watchFd, events, 4, 0);
    } while (n == 4 || (n < 0 && errno == EINTR));
}

bool hasPendingError(int fd)
{
    pollfd p{fd, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

bool wasRetransmitting(int fd)
{
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
        return false;
    return info.tcpi_retransmits > 0 || info.tcpi_probes > 0;
}

std::optional<quint64> sequenceReceived(int fd)
{
    // glibc's tcp_info stops before the RFC 4898 counters that Linux 4.1 added behind it; the
    // kernel fills as much as it is given.
    struct TcpInfoWithCounters
    {
        tcp_info base;
        quint64 pacingRate;
        quint64 maxPacingRate;
        quint64 bytesAcked;
        quint64 bytesReceived;
    };
    static_assert(offsetof(TcpInfoWithCounters, bytesReceived) == 128,
                  "tcpi_bytes_received sits at offset 128 of Linux's struct tcp_info");
    TcpInfoWithCounters info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 || len < sizeof(info))
        return std::nullopt;
    return info.bytesReceived;
}

TcpState tcpState(int fd)
{
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
        return TcpState::Unknown;
    if (info.tcpi_state > quint8(TcpState::Closing))
        return TcpState::Unknown;
    return TcpState(info.tcpi_state);
}

std::optional<KernelQueues> kernelQueues(int fd)
{
    int outq = 0;
    int inq = 0;
    if (::ioctl(fd, SIOCOUTQ, &outq) < 0 || ::ioctl(fd, SIOCINQ, &inq) < 0)
        return std::nullopt;
    return KernelQueues{outq, inq};
}

std::optional<SocketAddress> localAddress(int fd)
{
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) < 0)
        return std::nullopt;
    return fromSockaddr(addr);
}

std::optional<SocketAddress> peerAddress(int fd)
{
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&addr), &len) < 0)
        return std::nullopt;
    return fromSockaddr(addr);
}

int maxListenBacklog()
{
    int value = 0;
    if (FILE *f = std::fopen("/proc/sys/net/core/somaxconn", "re")) {
        if (std::fscanf(f, "%d", &value) != 1)
            value = 0;
        std::fclose(f);
    }
    return value > 0 ? value : SOMAXCONN;
}

int acceptOne(int listenFd, int *err)
{
    int fd;
    do {
        fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && err)
        *err = errno;
    return fd;
}

std::optional<int> acceptQueueLength(int listenFd)
{
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(listenFd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0
        || info.tcpi_state != quint8(TcpState::Listen)) {
        return std::nullopt;
    }
    return int(info.tcpi_unacked);
}

qint64 raiseOpenFileLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) < 0)
        return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t was = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) < 0)
            limit.rlim_cur = was;
    }
    return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<qint64>::max()
                                           : qint64(limit.rlim_cur);
}

} // namespace finscope::native
