#pragma once

// The server's accepted connections as list rows: each live one with its peer and TCP state, and
// the finished ones (closed, the kernel's entry settled) folded under one "N closed connections"
// row that expands on click. Rows follow the endpoints' signals, coalesced; nothing polls, so a
// thousand idle connections cost the list nothing.

#include <QAbstractListModel>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace finscope {

class Endpoint;

class ConnectionListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    explicit ConnectionListModel(QObject *parent = nullptr);

    // Connections are numbered from 1 in the order they arrive, as the list shows them.
    void addConnection(Endpoint *endpoint);
    int connectionCount() const { return int(m_endpoints.size()); }
    Endpoint *endpoint(int connection) const;
    // Closed and settled: folded away.
    bool isFinished(int connection) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

    // The connection on row, 0 for the fold row (and for no row).
    int connectionAt(int row) const;
    // The row of connection, -1 while it is folded away.
    int rowOf(int connection) const;
    bool isFoldRow(int row) const { return row == 0 && !m_finished.isEmpty(); }
    int finishedCount() const { return int(m_finished.size()); }
    bool isExpanded() const { return m_expanded; }
    void setExpanded(bool expanded);
    // True while rows are being removed: the view then moves its current row by itself, which
    // is no choice of the user's.
    bool isRemovingRows() const { return m_removing; }

private:
    void noteChange(int connection);
    void flush();
    void finish(int connection);
    QString label(int connection) const;

    QList<QPointer<Endpoint>> m_endpoints; // index: connection - 1
    QList<int> m_live;                     // connection numbers, ascending
    QList<int> m_finished;                 // connection numbers, ascending
    bool m_expanded = false;
    bool m_removing = false;
    QSet<int> m_changed; // connections whose row text is due
    QTimer m_flush;
};

} // namespace finscope
