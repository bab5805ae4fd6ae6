#include "eventtablemodel.h"

#include "engine/session/eventformat.h"
#include "render/timelinestyle.h"

#include <QBrush>
#include <QGuiApplication>

namespace finscope {

EventTableModel::EventTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void EventTableModel::setStore(const EventStore *store)
{
    beginResetModel();
    m_store = store;
    m_rows = store ? int(store->size()) : 0;
    endResetModel();
}

void EventTableModel::refresh()
{
    if (!m_store || m_store->size() == m_rows)
        return;
    beginInsertRows({}, m_rows, int(m_store->size()) - 1);
    m_rows = int(m_store->size());
    endInsertRows();
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_store || !index.isValid() || index.row() >= m_rows)
        return {};
    const Event &e = m_store->at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn:
            return QString::number(double(e.tNs) / 1e9, 'f', 6);
        case EndColumn:
            return e.side == Side::Server && e.conn == 0
                       ? tr("listener")
                       : QStringLiteral("%1 %2").arg(sideName(e.side)).arg(e.conn);
        case KindColumn:
            return e.kind == EventKind::Shutdown ? QStringLiteral("shutdown %1").arg(howName(e.how))
                                                 : kindName(e.kind);
        case DetailsColumn:
            return formatEventDetails(e, *m_store);
        }
    }
    if (role == Qt::ForegroundRole) {
        const QColor color = TimelineStyle(QGuiApplication::palette()).kindTextColor(e.kind);
        if (color.isValid())
            return QBrush(color);
    }
    if (role == Qt::TextAlignmentRole && index.column() == TimeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time (s)");
    case EndColumn:
        return tr("End");
    case KindColumn:
        return tr("Event");
    case DetailsColumn:
        return tr("Details");
    }
    return {};
}

} // namespace finscope
