#pragma once

// The listening socket. QTcpServer may own it (DESIGN.md §2), but no QTcpSocket is ever made for an
// accepted connection: the raw fd goes straight to an Endpoint.

#include <QTcpServer>

namespace finscope {

class Listener : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

    // listen() with the failure as an errno value (EADDRINUSE, EACCES, EADDRNOTAVAIL, or 0 when Qt
    // gives none) and a sentence naming the address.
    bool listenOn(const QHostAddress &address, quint16 port, int *err, QString *error);

signals:
    void descriptorAccepted(qintptr fd);

protected:
    void incomingConnection(qintptr fd) override;
};

} // namespace finscope
