#pragma once

// The listening socket. QTcpServer may own it (DESIGN.md §2), but no QTcpSocket is ever made for an
// accepted connection: the raw fd goes straight to an Endpoint. It listens with the kernel's
// largest backlog, and when accept() runs out of file descriptors it says so and resumes by itself.

#include <QTcpServer>
#include <QTimer>

namespace finscope {

class Listener : public QTcpServer
{
    Q_OBJECT
public:
    // While accepting is stalled for want of a file descriptor, accept() is tried this often.
    static constexpr int StalledRetryMs = 100;

    explicit Listener(QObject *parent = nullptr);

    // listen() with the failure as an errno value (EADDRINUSE, EACCES, EADDRNOTAVAIL, or 0 when Qt
    // gives none) and a sentence naming the address.
    bool listenOn(const QHostAddress &address, quint16 port, int *err, QString *error);

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
    void handleAcceptError();
    // One accept() of our own: hands the connection on and resumes Qt's accepting, or stays
    // stalled; false while still stalled.
    bool tryAccepting();

    QTimer m_retry;
    bool m_stalled = false;
};

} // namespace finscope
