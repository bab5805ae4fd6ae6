#include "engine/socket/listener.h"

#include "engine/core/event.h"
#include "engine/core/hostport.h"
#include "engine/socket/nativesocket.h"

#include <cerrno>

namespace finscope {

namespace {

bool outOfDescriptors(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

} // namespace

Listener::Listener(QObject *parent)
    : QTcpServer(parent)
{
    // Qt's default backlog is 50: of 1,000 clients connecting at once most were dropped or
    // retried for seconds. The kernel clamps the value to net.core.somaxconn.
    setListenBacklogSize(native::maxListenBacklog());
    m_retry.setInterval(StalledRetryMs);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Listener::acceptWaiting);
}

Listener::~Listener()
{
    stop();
}

bool Listener::listenOn(const QHostAddress &address, quint16 port, int *err, QString *error)
{
    stop();
    if (listen(address, port)) {
        // Qt's own notifier off for good (never resumeAccepting()): one notifier per fd.
        pauseAccepting();
        m_notifier = std::make_unique<QSocketNotifier>(socketDescriptor(), QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &Listener::acceptWaiting);
        return true;
    }
    switch (serverError()) {
    case QAbstractSocket::AddressInUseError:
        *err = EADDRINUSE;
        break;
    case QAbstractSocket::SocketAccessError:
        *err = EACCES;
        break;
    case QAbstractSocket::SocketAddressNotAvailableError:
        *err = EADDRNOTAVAIL;
        break;
    default:
        *err = 0;
    }
    *error = QStringLiteral("cannot listen on %1: %2")
                 .arg(HostPort::format(address.toString(), port), errorString());
    return false;
}

void Listener::stop()
{
    m_retry.stop();
    m_stalled = false;
    m_notifier.reset();
    if (isListening())
        close();
}

void Listener::retryStalled()
{
    if (m_stalled && m_notifier)
        acceptWaiting();
}

void Listener::incomingConnection(qintptr fd)
{
    emit descriptorAccepted(fd);
}

void Listener::acceptWaiting()
{
    constexpr int MaxPerActivation = 64;
    for (int i = 0; i < MaxPerActivation && m_notifier; ++i) {
        int err = 0;
        const int fd = native::acceptOne(int(socketDescriptor()), &err);
        if (fd < 0 && outOfDescriptors(err)) {
            stall(err);
            return;
        }
        if (m_stalled) {
            m_stalled = false;
            m_notifier->setEnabled(true);
        }
        if (fd >= 0) {
            incomingConnection(fd); // may stop listening (the last connection a run wanted)
            continue;
        }
        if (err == EAGAIN || err == EWOULDBLOCK)
            return;
        // ECONNABORTED: a client that reset while queued; the next one may be fine.
        if (err != ECONNABORTED) {
            emit acceptFailed(err,
                              QStringLiteral("cannot accept: %1 (%2)")
                                  .arg(errnoMessage(err).toLower(), errnoName(err)));
            return;
        }
    }
}

void Listener::stall(int err)
{
    // The notifier would fire at once again (the backlog is still readable): off until a retry
    // succeeds.
    m_notifier->setEnabled(false);
    if (!m_stalled) {
        m_stalled = true;
        const auto waiting = native::acceptQueueLength(int(socketDescriptor()));
        const QString queued
            = !waiting        ? QStringLiteral("connections may wait in the backlog")
              : *waiting == 1 ? QStringLiteral("1 connection waits in the backlog")
                              : QStringLiteral("%1 connections wait in the backlog").arg(*waiting);
        emit acceptStalled(err,
                           QStringLiteral("cannot accept: %1 (%2); %3; accepting resumes when a "
                                          "file descriptor is free")
                               .arg(errnoMessage(err).toLower(), errnoName(err), queued));
    }
    m_retry.start();
}

} // namespace finscope
