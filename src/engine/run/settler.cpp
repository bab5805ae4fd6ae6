#include "engine/run/settler.h"

namespace finscope {

Settler::Settler(QObject *parent)
    : QObject(parent)
{
    m_bound.setSingleShot(true);
    m_bound.setTimerType(Qt::PreciseTimer);
    connect(&m_bound, &QTimer::timeout, this, [this] { finish(unsettledCount() == 0); });
}

void Settler::settle(const QList<Endpoint *> &ends, int boundMs)
{
    m_ends.clear();
    for (Endpoint *end : ends) {
        m_ends.append(end);
        connect(end, &Endpoint::settled, this, &Settler::check, Qt::UniqueConnection);
        connect(end, &QObject::destroyed, this, &Settler::check, Qt::UniqueConnection);
    }
    m_waiting = true;
    if (boundMs > 0 && unsettledCount() > 0)
        m_bound.start(boundMs);
    // Queued even when nothing is left to wait for, so done() never re-enters the caller.
    QMetaObject::invokeMethod(this, &Settler::check, Qt::QueuedConnection);
}

int Settler::unsettledCount() const
{
    int count = 0;
    for (const QPointer<Endpoint> &end : m_ends) {
        if (end && !end->kernelSettled())
            ++count;
    }
    return count;
}

void Settler::abandon()
{
    if (!m_waiting)
        return;
    m_bound.stop();
    // check() then finds the bound inactive and ends the wait.
    QMetaObject::invokeMethod(this, &Settler::check, Qt::QueuedConnection);
}

void Settler::check()
{
    if (m_waiting && (unsettledCount() == 0 || !m_bound.isActive()))
        finish(unsettledCount() == 0);
}

void Settler::finish(bool allSettled)
{
    if (!m_waiting)
        return;
    m_waiting = false;
    m_bound.stop();
    for (const QPointer<Endpoint> &end : std::as_const(m_ends)) {
        if (end)
            disconnect(end, nullptr, this, nullptr);
    }
    emit done(allSettled);
}

} // namespace finscope
