#include "engine/run/workbench.h"

#include "engine/core/hostport.h"
#include "engine/socket/nativesocket.h"

namespace finscope {

Workbench::Workbench(QObject *parent)
    : QObject(parent)
{
    connect(&m_listener, &Listener::descriptorAccepted, this, &Workbench::handleAccepted);
    connect(&m_listener, &Listener::acceptFailed, this, &Workbench::recordListenerError);
    connect(&m_listener, &Listener::acceptStalled, this, [this](int err, const QString &sentence) {
        recordListenerError(err, sentence);
        emit acceptingStalled(sentence);
    });
}

void Workbench::recordListenerError(int err, const QString &sentence)
{
    Event event;
    event.kind = EventKind::Error;
    event.side = Side::Server;
    event.err = err;
    m_recorder.record(event, sentence);
}

bool Workbench::listen(const QHostAddress &address, quint16 port, QString *error)
{
    stopListening();
    int err = 0;
    Event event;
    event.side = Side::Server;
    if (!m_listener.listenOn(address, port, &err, error)) {
        event.kind = EventKind::Error;
        event.err = err;
        m_recorder.record(event, *error);
        return false;
    }
    event.kind = EventKind::Listen;
    m_recorder.record(event, listenAddress());
    emit listeningChanged(true);
    return true;
}

void Workbench::stopListening()
{
    if (!m_listener.isListening())
        return;
    m_listener.stop();
    emit listeningChanged(false);
}

QString Workbench::listenAddress() const
{
    // The socket's own address: Qt reports a dual-stack :: listener as 0.0.0.0.
    if (m_listener.isListening()) {
        if (const auto bound = native::localAddress(int(m_listener.socketDescriptor())))
            return bound->toString();
    }
    return native::SocketAddress{m_listener.serverAddress(), m_listener.serverPort()}.toString();
}

Endpoint *Workbench::connectClient(const QString &host, quint16 port)
{
    auto *endpoint
        = new Endpoint(Side::Client, quint32(m_clients.size() + 1), m_recorder.clock(), this);
    m_clients.append(endpoint);
    m_recorder.attach(endpoint, HostPort::format(host, port));
    connect(endpoint, &Endpoint::closed, &m_listener, &Listener::retryStalled);
    emit clientAdded(endpoint);
    endpoint->connectToHost(host, port);
    return endpoint;
}

void Workbench::handleAccepted(qintptr fd)
{
    if (!m_acceptIntoEndpoints) {
        emit descriptorAccepted(fd);
        return;
    }
    auto *endpoint = new Endpoint(
        Side::Server, quint32(m_serverConnections.size() + 1), m_recorder.clock(), this);
    m_serverConnections.append(endpoint);
    m_recorder.attach(endpoint, listenAddress());
    // A closed connection frees a file descriptor: a stalled listener takes the next one now.
    connect(endpoint, &Endpoint::closed, &m_listener, &Listener::retryStalled);
    endpoint->adoptDescriptor(fd);
    emit serverConnectionAdded(endpoint);
}

} // namespace finscope
