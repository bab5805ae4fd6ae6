#pragma once

// Both ends of the workbench in one process: a listening server whose accepted connections become
// endpoints, client endpoints, and one recorder for all of them. The app drives it; scenarios and
// replay can too.

#include "engine/run/recorder.h"
#include "engine/socket/endpoint.h"
#include "engine/socket/listener.h"

#include <QHostAddress>
#include <QList>
#include <QObject>

namespace finscope {

class Workbench : public QObject
{
    Q_OBJECT
public:
    explicit Workbench(QObject *parent = nullptr);

    Recorder *recorder() { return &m_recorder; }
    const Recorder *recorder() const { return &m_recorder; }
    const EventStore &events() const { return m_recorder.events(); }

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    void stopListening();
    bool isListening() const { return m_listener.isListening(); }
    QString listenAddress() const; // "127.0.0.1:40000"
    quint16 listenPort() const { return m_listener.serverPort(); }

    // When off, an accepted connection becomes no Endpoint: its fd is handed out by
    // descriptorAccepted, for the scenario that lets a QTcpSocket hold the server's end.
    void setAcceptIntoEndpoints(bool on) { m_acceptIntoEndpoints = on; }

    // A new client endpoint (connection numbers count up) that starts connecting at once.
    Endpoint *connectClient(const QString &host, quint16 port);

    const QList<Endpoint *> &clients() const { return m_clients; }
    const QList<Endpoint *> &serverConnections() const { return m_serverConnections; }

signals:
    void listeningChanged(bool listening);
    void clientAdded(finscope::Endpoint *endpoint);
    void serverConnectionAdded(finscope::Endpoint *endpoint);
    void descriptorAccepted(qintptr fd);
    // The listener ran out of file descriptors (also recorded as an error event); it resumes by
    // itself when one is free.
    void acceptingStalled(const QString &sentence);

private:
    void handleAccepted(qintptr fd);
    void recordListenerError(int err, const QString &sentence);

    Recorder m_recorder;
    Listener m_listener;
    QList<Endpoint *> m_clients;
    QList<Endpoint *> m_serverConnections;
    bool m_acceptIntoEndpoints = true;
};

} // namespace finscope
