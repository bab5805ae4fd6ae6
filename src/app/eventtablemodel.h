#pragma once

// The event table: one row per event of an EventStore. Rows are added in batches (refresh()), so a
// fast transfer does not insert rows one at a time.

#include "engine/core/eventstore.h"

#include <QAbstractTableModel>

namespace finscope {

class EventTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, EndColumn, KindColumn, DetailsColumn, ColumnCount };

    explicit EventTableModel(QObject *parent = nullptr);

    void setStore(const EventStore *store);
    // Appends rows for events added to the store since the last call.
    void refresh();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    const EventStore *m_store = nullptr;
    int m_rows = 0;
};

} // namespace finscope
