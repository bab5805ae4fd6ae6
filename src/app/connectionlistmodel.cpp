#include "connectionlistmodel.h"

#include "engine/socket/endpoint.h"

#include <algorithm>

namespace finscope {

namespace {

// Row text follows the engine at most this often: a busy connection records thousands of events
// a second.
constexpr int FlushMs = 30;

qsizetype indexIn(const QList<int> &sorted, int connection)
{
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), connection);
    return it != sorted.end() && *it == connection ? it - sorted.begin() : -1;
}

} // namespace

ConnectionListModel::ConnectionListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_flush.setSingleShot(true);
    m_flush.setInterval(FlushMs);
    connect(&m_flush, &QTimer::timeout, this, &ConnectionListModel::flush);
}

void ConnectionListModel::addConnection(Endpoint *endpoint)
{
    m_endpoints.append(endpoint);
    const int connection = int(m_endpoints.size());
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_live.append(connection);
    endInsertRows();
    // Only what changes the row's text or its place: the state, and the end being closed.
    connect(endpoint,
            &Endpoint::eventRecorded,
            this,
            [this, connection](const Event &event, const QByteArray &, const QString &) {
                if (event.kind == EventKind::State || event.kind == EventKind::Close
                    || event.kind == EventKind::Abort)
                    noteChange(connection);
            });
    connect(endpoint, &Endpoint::settled, this, [this, connection] { noteChange(connection); });
}

Endpoint *ConnectionListModel::endpoint(int connection) const
{
    return connection >= 1 && connection <= m_endpoints.size() ? m_endpoints.at(connection - 1)
                                                               : nullptr;
}

bool ConnectionListModel::isFinished(int connection) const
{
    const Endpoint *ep = endpoint(connection);
    return !ep || (ep->status() == Endpoint::Status::Closed && ep->kernelSettled());
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    if (m_finished.isEmpty())
        return int(m_live.size());
    return 1 + (m_expanded ? int(m_finished.size()) : 0) + int(m_live.size());
}

int ConnectionListModel::connectionAt(int row) const
{
    if (row < 0 || row >= rowCount() || isFoldRow(row))
        return 0;
    if (!m_finished.isEmpty()) {
        row -= 1;
        if (m_expanded) {
            if (row < m_finished.size())
                return m_finished.at(row);
            row -= int(m_finished.size());
        }
    }
    return m_live.at(row);
}

int ConnectionListModel::rowOf(int connection) const
{
    const int head = m_finished.isEmpty() ? 0 : 1;
    if (const qsizetype i = indexIn(m_live, connection); i >= 0)
        return head + (m_expanded ? int(m_finished.size()) : 0) + int(i);
    if (const qsizetype i = indexIn(m_finished, connection); i >= 0 && m_expanded)
        return head + int(i);
    return -1;
}

QString ConnectionListModel::label(int connection) const
{
    const Endpoint *ep = endpoint(connection);
    if (!ep)
        return tr("server %1 · gone").arg(connection);
    QString text = tr("server %1 · peer %2 · %3")
                       .arg(connection)
                       .arg(ep->peerAddress(), stateName(ep->tcpState()));
    if (ep->status() == Endpoint::Status::Closed)
        text += tr(" · closed");
    return text;
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    if (isFoldRow(index.row())) {
        if (role == Qt::DisplayRole)
            return (m_finished.size() == 1 ? tr("%1 1 closed connection")
                                           : tr("%1 %2 closed connections").arg(m_finished.size()))
                .arg(m_expanded ? QStringLiteral("▾") : QStringLiteral("▸"));
        if (role == Qt::ToolTipRole)
            return m_expanded ? tr("Click to fold the closed connections away")
                              : tr("Closed connections whose kernel entry has settled (TIME_WAIT "
                                   "or gone); click to list them");
        return {};
    }
    if (role == Qt::DisplayRole)
        return label(connectionAt(index.row()));
    return {};
}

void ConnectionListModel::setExpanded(bool expanded)
{
    if (expanded == m_expanded || m_finished.isEmpty()) {
        m_expanded = expanded;
        return;
    }
    if (expanded) {
        beginInsertRows({}, 1, int(m_finished.size()));
        m_expanded = true;
        endInsertRows();
    } else {
        m_removing = true;
        beginRemoveRows({}, 1, int(m_finished.size()));
        m_expanded = false;
        endRemoveRows();
        m_removing = false;
    }
    emit dataChanged(index(0), index(0));
}

void ConnectionListModel::noteChange(int connection)
{
    m_changed.insert(connection);
    if (!m_flush.isActive())
        m_flush.start();
}

void ConnectionListModel::flush()
{
    QList<int> changed(m_changed.begin(), m_changed.end());
    m_changed.clear();
    std::sort(changed.begin(), changed.end());
    for (const int connection : std::as_const(changed)) {
        if (indexIn(m_live, connection) >= 0 && isFinished(connection)) {
            finish(connection);
            continue;
        }
        if (const int row = rowOf(connection); row >= 0)
            emit dataChanged(index(row), index(row), {Qt::DisplayRole});
    }
}

void ConnectionListModel::finish(int connection)
{
    // Out of the live rows...
    const int from = rowOf(connection);
    m_removing = true;
    beginRemoveRows({}, from, from);
    m_live.removeAt(indexIn(m_live, connection));
    endRemoveRows();
    m_removing = false;
    // ...into the fold, which appears with the first one.
    const auto at
        = std::lower_bound(m_finished.begin(), m_finished.end(), connection) - m_finished.begin();
    if (m_finished.isEmpty()) {
        beginInsertRows({}, 0, m_expanded ? 1 : 0);
        m_finished.append(connection);
        endInsertRows();
        return;
    }
    if (m_expanded) {
        beginInsertRows({}, 1 + int(at), 1 + int(at));
        m_finished.insert(at, connection);
        endInsertRows();
    } else {
        m_finished.insert(at, connection);
    }
    emit dataChanged(index(0), index(0));
}

} // namespace finscope
