#pragma once

// Waits, before a command-line run exits, until each closed end's connection has settled in the
// kernel: in TIME_WAIT or gone from its table. Without it the end that closed first is still in
// FIN_WAIT while the process exits and its TIME_WAIT is never recorded. Bounded; ends at once when
// every end has already settled, so a settled run is never delayed.

#include "engine/socket/endpoint.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace finscope {

class Settler : public QObject
{
    Q_OBJECT
public:
    // The default bound of --settle: the closing handshake on a LAN takes a few round trips.
    static constexpr int DefaultBoundMs = 1000;

    explicit Settler(QObject *parent = nullptr);

    // Watches the ends; done() follows (queued) once each has settled or boundMs has passed.
    void settle(const QList<Endpoint *> &ends, int boundMs);
    bool isSettling() const { return m_bound.isActive(); }
    bool isWaiting() const { return m_waiting; }
    // Stops waiting now (a signal ends the run): done(false) follows, queued, if it was waiting.
    void abandon();
    // The ends still unsettled when the bound ended the wait.
    int unsettledCount() const;

signals:
    void done(bool allSettled);

private:
    void check();
    void finish(bool allSettled);

    QList<QPointer<Endpoint>> m_ends;
    QTimer m_bound;
    bool m_waiting = false;
};

} // namespace finscope
