#include "engine/run/recorder.h"

#include "engine/run/actionrunner.h"
#include "engine/socket/endpoint.h"
#include "engine/socket/qtsocketendpoint.h"

#include <QHash>

#include <memory>

namespace finscope {

Recorder::Recorder(QObject *parent)
    : QObject(parent)
{
    m_session.wallClockStart = m_clock.wallStart();
}

void Recorder::attach(Endpoint *endpoint, const QString &target)
{
    EndpointRecord &rec = endpointRecord(endpoint->side(), endpoint->conn());
    rec.target = target;
    connect(endpoint, &Endpoint::eventRecorded, this, &Recorder::append);
    connect(endpoint, &Endpoint::connected, this, [this, endpoint] {
        EndpointRecord &rec = endpointRecord(endpoint->side(), endpoint->conn());
        rec.localAddress = endpoint->localAddress();
        rec.peerAddress = endpoint->peerAddress();
    });
}

void Recorder::attach(ActionRunner *runner)
{
    // Where each of the runner's actions went in the session, for its end time.
    auto recorded = std::make_shared<QHash<int, qsizetype>>();
    connect(runner,
            &ActionRunner::actionStarted,
            this,
            [this, runner, recorded](int index, const Action &action) {
                RecordedAction rec;
                rec.tNs = m_clock.nowNs();
                rec.side = runner->endpoint()->side();
                rec.conn = runner->endpoint()->conn();
                rec.text = action.toString();
                recorded->insert(index, m_session.actions.size());
                m_session.actions.append(rec);
            });
    connect(runner, &ActionRunner::actionFinished, this, [this, recorded](int index) {
        const qsizetype at = recorded->value(index, -1);
        if (at >= 0 && at < m_session.actions.size())
            m_session.actions[at].endNs = m_clock.nowNs();
    });
}

void Recorder::attach(QtSocketEndpoint *endpoint, const QString &target)
{
    EndpointRecord &rec = endpointRecord(endpoint->side(), endpoint->conn());
    rec.target = target;
    connect(endpoint, &QtSocketEndpoint::eventRecorded, this, &Recorder::append);
    // Its addresses are known once it has adopted the fd, which is when its accept is recorded.
    connect(endpoint, &QtSocketEndpoint::eventRecorded, this, [this, endpoint](const Event &event) {
        if (event.kind != EventKind::Accept)
            return;
        EndpointRecord &rec = endpointRecord(endpoint->side(), endpoint->conn());
        rec.localAddress = endpoint->localAddress();
        rec.peerAddress = endpoint->peerAddress();
    });
}

void Recorder::recordAction(Side side, quint32 conn, const Action &action)
{
    RecordedAction rec;
    rec.tNs = m_clock.nowNs();
    rec.side = side;
    rec.conn = conn;
    rec.text = action.toString();
    m_session.actions.append(rec);
}

void Recorder::record(Event event, const QString &text)
{
    event.tNs = m_clock.nowNs();
    append(event, {}, text);
}

void Recorder::append(const Event &event, const QByteArray &payload, const QString &text)
{
    EventStore &store = m_session.events;
    if (text.isEmpty()) {
        store.append(event, payload);
    } else {
        Event withText = event;
        withText.text = store.internString(text);
        store.append(withText, payload);
    }
    emit eventAdded(store.size() - 1);
}

EndpointRecord &Recorder::endpointRecord(Side side, quint32 conn)
{
    for (EndpointRecord &rec : m_session.endpoints) {
        if (rec.side == side && rec.conn == conn)
            return rec;
    }
    EndpointRecord rec;
    rec.side = side;
    rec.conn = conn;
    m_session.endpoints.append(rec);
    return m_session.endpoints.last();
}

} // namespace finscope
