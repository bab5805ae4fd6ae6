#pragma once

// Collects what endpoints observe and what runners do into one Session, on one clock.

#include "engine/core/action.h"
#include "engine/core/clock.h"
#include "engine/session/session.h"

#include <QObject>

namespace finscope {

class ActionRunner;
class Endpoint;
class QtSocketEndpoint;

class Recorder : public QObject
{
    Q_OBJECT
public:
    explicit Recorder(QObject *parent = nullptr);

    const Clock *clock() const { return &m_clock; }
    const Session &session() const { return m_session; }
    const EventStore &events() const { return m_session.events; }
    void setTool(const QString &tool) { m_session.tool = tool; }
    void setPayloadCap(qint64 cap) { m_session.events.setPayloadCap(cap); }

    // Records the endpoint's events from now on; target is what the user asked for
    // ("host:port" for a client, the listen address for a server).
    void attach(Endpoint *endpoint, const QString &target);
    void attach(ActionRunner *runner);
    // The QTcpSocket-held end of the scenario that compares it with our own endpoint.
    void attach(QtSocketEndpoint *endpoint, const QString &target);
    // An action run outside an ActionRunner (the QTcpSocket-held end's).
    void recordAction(Side side, quint32 conn, const Action &action);

    // For events that no endpoint emits, such as the listener's.
    void record(Event event, const QString &text = {});

signals:
    void eventAdded(qsizetype index);

private:
    void append(const Event &event, const QByteArray &payload, const QString &text);
    EndpointRecord &endpointRecord(Side side, quint32 conn);

    Clock m_clock;
    Session m_session;
};

} // namespace finscope
