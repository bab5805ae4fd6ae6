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
    connect(&m_retry, &QTimer::timeout, this, &Listener::tryAccepting);
    // Qt pauses accepting for good on any accept() error but EAGAIN, and does not say which.
    connect(this, &QTcpServer::acceptError, this, &Listener::handleAcceptError);
}

bool Listener::listenOn(const QHostAddress &address, quint16 port, int *err, QString *error)
{
    m_retry.stop();
    m_stalled = false;
    if (listen(address, port))
        return true;
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

void Listener::retryStalled()
{
    if (m_stalled && isListening())
        tryAccepting();
}

void Listener::incomingConnection(qintptr fd)
{
    emit descriptorAccepted(fd);
}

void Listener::handleAcceptError()
{
    if (!isListening())
        return;
    // Qt's error does not tell EMFILE from ENFILE: one accept() of our own says which.
    tryAccepting();
}

bool Listener::tryAccepting()
{
    if (!isListening()) {
        m_stalled = false;
        return true;
    }
    int err = 0;
    const int fd = native::acceptOne(int(socketDescriptor()), &err);
    if (fd >= 0 || !outOfDescriptors(err)) {
        m_stalled = false;
        if (fd < 0 && err != EAGAIN && err != ECONNABORTED) {
            emit acceptFailed(err,
                              QStringLiteral("cannot accept: %1 (%2)")
                                  .arg(errnoMessage(err).toLower(), errnoName(err)));
        }
        resumeAccepting();
        if (fd >= 0)
            incomingConnection(fd);
        return true;
    }
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
    return false;
}

} // namespace finscope
