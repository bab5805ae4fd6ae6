#include "engine/socket/listener.h"

#include "engine/core/hostport.h"

#include <cerrno>

namespace finscope {

bool Listener::listenOn(const QHostAddress &address, quint16 port, int *err, QString *error)
{
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

void Listener::incomingConnection(qintptr fd)
{
    emit descriptorAccepted(fd);
}

} // namespace finscope
