#pragma once

// The one engine unit that makes POSIX socket calls, so a port to another OS touches one place.
// Every function returns an errno value (0 on success) or a struct carrying one; none throws or
// prints.

#include "engine/core/event.h"

#include <QHostAddress>
#include <QString>

#include <optional>

namespace finscope::native {

struct IoResult
{
    qint64 bytes = 0; // >= 0 on success (0 from recv is the peer's FIN, or a local SHUT_RD)
    int err = 0;      // errno when the call failed; EAGAIN when it would block
};

struct SocketAddress
{
    QHostAddress address;
    quint16 port = 0;
    // "127.0.0.1:5555", "[::1]:5555"; an IPv4-mapped IPv6 address as its IPv4 address.
    QString toString() const;
};

struct KernelQueues
{
    qint32 outq = 0; // bytes in the kernel's send queue not yet acknowledged (SIOCOUTQ)
    qint32 inq = 0;  // bytes received but not read (SIOCINQ)
};

// A non-blocking, close-on-exec stream socket for the address's family; returns -1 and sets *err.
int openStream(const QHostAddress &address, int *err);
// Starts a non-blocking connect: 0 when connected at once, EINPROGRESS while pending, else errno.
int startConnect(int fd, const SocketAddress &to);
// The pending error (SO_ERROR); reading it clears it, so all failures go through one handler.
int takePendingError(int fd);
int setNonBlocking(int fd);

IoResult receive(int fd, char *buffer, qint64 size);
// Never raises SIGPIPE (MSG_NOSIGNAL).
IoResult send(int fd, const char *data, qint64 size);
int shutdown(int fd, ShutdownHow how);
// SO_LINGER {1, 0}: the following close sends RST and discards the send queue.
int setLingerZero(int fd);
int close(int fd);
// A second handle to the same socket (F_DUPFD_CLOEXEC), as a fork child would hold: returns -1 and
// sets *err.
int duplicate(int fd, int *err);

// An epoll set watching only fd's endings (EPOLLRDHUP | EPOLLERR | EPOLLHUP, edge-triggered): its
// own fd turns readable the moment the peer's FIN or a RST reaches the kernel, without consuming
// data or the pending error, so a QSocketNotifier on it tells the moment whether or not the
// program reads. Returns -1 and sets *err.
int openEndingWatch(int fd, int *err);
// Empties the set without blocking, so its fd stops being readable until the next ending.
void drainEndingWatch(int watchFd);
// Adds (on) or removes EPOLLIN, edge-triggered, in the set of openEndingWatch: while the program
// does not read, each arrival of data wakes it once, so the receive queue is sampled then instead
// of on a timer. Returns 0 or errno.
int watchEndingData(int watchFd, int fd, bool on);
// True while an error waits to be reported (a reset, a timeout): poll()'s POLLERR, which unlike
// SO_ERROR does not clear it.
bool hasPendingError(int fd);
// True when the kernel was retransmitting or probing unanswered (tcpi_retransmits, tcpi_probes):
// a connection that went to CLOSE then timed out rather than being reset.
bool wasRetransmitting(int fd);

// tcpi_bytes_received (Linux 4.1+): the sequence space the peer has sent and this end's kernel
// took in order, which is the data plus one for the peer's FIN. Beside the bytes read and SIOCINQ
// it tells that a FIN arrived though a RST right behind it already took the socket to CLOSE.
std::optional<quint64> sequenceReceived(int fd);
// tcpi_state from TCP_INFO; Unknown when the call fails.
TcpState tcpState(int fd);
std::optional<KernelQueues> kernelQueues(int fd);
std::optional<SocketAddress> localAddress(int fd);
std::optional<SocketAddress> peerAddress(int fd);

// The largest listen backlog the kernel grants (net.core.somaxconn; SOMAXCONN when unreadable):
// listen() silently clamps anything larger to it.
int maxListenBacklog();
// One accept() on a listening socket, the new fd close-on-exec: returns -1 and sets *err (EAGAIN
// when nobody waits, EMFILE/ENFILE when no file descriptor is free).
int acceptOne(int listenFd, int *err);
// How many connections a listening socket holds in its accept queue, completed and waiting for
// accept() (TCP_INFO's tcpi_unacked reads sk_ack_backlog in LISTEN); nullopt when unknown.
std::optional<int> acceptQueueLength(int listenFd);
// Raises the soft limit on open files to the hard one, so a server holds as many connections as
// the system lets this user (Qt waits with poll, never select, so fds above 1024 are fine).
// Returns the soft limit now in force, or -1 when unknown.
qint64 raiseOpenFileLimit();

} // namespace finscope::native
