#pragma once

// The listening socket. QTcpServer may own it (DESIGN.md §2), but no QTcpSocket is ever made for an
// accepted connection: the raw fd goes straight to an Endpoint. It listens with the kernel's
// largest backlog and accepts with its own notifier: Qt 6.4's accept loop keeps the first error it
// met, so after one EAGAIN an EMFILE reads as temporary and it spins on accept() at full CPU,
// silently (measured). When accept() runs out of file descriptors this one says so once and
// resumes by itself. QTcpServer's maxPendingConnections (30) drops nobody: nothing is queued in it.

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include <memory>

namespace finscope {

class Listener : public QTcpServer
{
    Q_OBJECT
public:
    // While accepting is stalled for want of a file descriptor, accept() is tried this often.
    static constexpr int StalledRetryMs = 100;

    explicit Listener(QObject *parent = nullptr);
    ~Listener() override;

    // listen() with the failure as an errno value (EADDRINUSE, EACCES, EADDRNOTAVAIL, or 0 when Qt
    // gives none) and a sentence naming the address.
    bool listenOn(const QHostAddress &address, quint16 port, int *err, QString *error);
    // Closes the listening socket (use this, not QTcpServer::close(): the notifier goes first).
    void stop();

    bool isStalled() const { return m_stalled; }
    // A file descriptor may just have been freed (a connection closed): try accepting now rather
    // than at the next retry.
    void retryStalled();

signals:
    void descriptorAccepted(qintptr fd);
    // accept() failed for want of a file descriptor or memory (err EMFILE, ENFILE, ENOBUFS,
    // ENOMEM); waiting connections stay in the kernel's backlog until accepting resumes by itself.
    // Once per stall; sentence says it all.
    void acceptStalled(int err, const QString &sentence);
    // accept() failed for another reason; accepting goes on.
    void acceptFailed(int err, const QString &sentence);

protected:
    void incomingConnection(qintptr fd) override;

private:
    // Accepts what waits, a bounded number per activation so a flood cannot starve the loop.
    void acceptWaiting();
    // accept() found no file descriptor: said once per stall, retried on a timer.
    void stall(int err);

    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_retry;
    bool m_stalled = false;
};

} // namespace finscope
