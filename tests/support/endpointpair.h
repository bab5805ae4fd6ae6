#pragma once

// A connected client and server endpoint in one test process, recorded on one clock: the shared
// setup of the engine tests that drive both ends of a real loopback connection.

#include "engine/run/recorder.h"
#include "engine/socket/endpoint.h"
#include "engine/socket/listener.h"

#include <QDebug>
#include <QSignalSpy>
#include <QTest>

#include <optional>

namespace finscope::test {

class EndpointPair
{
public:
    EndpointPair()
    {
        QObject::connect(&listener, &Listener::descriptorAccepted, &listener, [this](qintptr fd) {
            server = new Endpoint(Side::Server, 1, recorder.clock(), &listener);
            recorder.attach(server, QStringLiteral("127.0.0.1:0"));
            server->adoptDescriptor(fd);
        });
    }

    bool open()
    {
        int err = 0;
        QString error;
        if (!listener.listenOn(QHostAddress::LocalHost, 0, &err, &error)) {
            qWarning() << error;
            return false;
        }
        client = new Endpoint(Side::Client, 1, recorder.clock(), &listener);
        recorder.attach(client, QStringLiteral("127.0.0.1"));
        QSignalSpy connected(client, &Endpoint::connected);
        client->connectToHost(QStringLiteral("127.0.0.1"), listener.serverPort());
        if (!connected.wait(5000))
            return false;
        return QTest::qWaitFor([this] { return server && server->isOpen(); }, 5000);
    }

    QList<Event> events(Side side, EventKind kind) const
    {
        QList<Event> out;
        for (const Event &e : recorder.events().events()) {
            if (e.side == side && e.kind == kind)
                out.append(e);
        }
        return out;
    }

    bool sawState(Side side, TcpState state) const
    {
        for (const Event &e : events(side, EventKind::State)) {
            if (e.state == state)
                return true;
        }
        return false;
    }

    std::optional<Event> lastState(Side side) const
    {
        const QList<Event> states = events(side, EventKind::State);
        return states.isEmpty() ? std::nullopt : std::optional<Event>(states.last());
    }

    qsizetype indexOf(Side side, EventKind kind) const
    {
        const auto &all = recorder.events().events();
        for (size_t i = 0; i < all.size(); ++i) {
            if (all[i].side == side && all[i].kind == kind)
                return qsizetype(i);
        }
        return -1;
    }

    qsizetype lastIndexOf(Side side, EventKind kind) const
    {
        const auto &all = recorder.events().events();
        for (size_t i = all.size(); i-- > 0;) {
            if (all[i].side == side && all[i].kind == kind)
                return qsizetype(i);
        }
        return -1;
    }

    QByteArray stream(Side side, Direction direction) const
    {
        const PayloadStream *s = recorder.events().payloadStream(side, 1, direction);
        return s ? s->data : QByteArray();
    }

    Recorder recorder;
    Listener listener;
    Endpoint *client = nullptr;
    Endpoint *server = nullptr;
};

} // namespace finscope::test
