package com.unipos.app.txn

import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState

/** One request a caller made through the service, and what the caller was last told about it. */
data class TxnRecord(
    val scope: String,
    val info: RequestInfo,
    val engineId: String,
    val fingerprint: String,
    val acceptedAt: Long,
    /** PENDING until the job finished; then the mapped result (UNKNOWN until the engine resolves it). */
    val result: TransResult?,
) {
    val isFinal: Boolean get() = result != null && TransState.isFinal(result.state)
}

/** Durable storage of [TxnRecord]s; [put] must be on disk when it returns (it runs before dispatch). */
interface RegistryStore {
    fun loadAll(): List<TxnRecord>
    fun put(record: TxnRecord)
    fun remove(keys: Collection<Pair<String, String>>)
}

class InMemoryRegistryStore : RegistryStore {
    private val map = LinkedHashMap<Pair<String, String>, TxnRecord>()
    @Synchronized override fun loadAll() = map.values.toList()
    @Synchronized override fun put(record: TxnRecord) { map[record.scope to record.info.requestId] = record }
    @Synchronized override fun remove(keys: Collection<Pair<String, String>>) { keys.forEach { map.remove(it) } }
}

/**
 * The service's memory of (caller scope, request id) -> request and result. It is written BEFORE a
 * request is dispatched, so for ids of the service's scopes it knows everything the engine knows
 * (and answers queries without waiting for a busy engine). The engine stays the authority on
 * money: records that are not final are refreshed from the engine's journal.
 */
class TransactionRegistry(private val store: RegistryStore, private val keep: Int = 500) {
    private val records = LinkedHashMap<Pair<String, String>, TxnRecord>()

    init {
        store.loadAll().sortedBy { it.acceptedAt }.forEach { records[it.scope to it.info.requestId] = it }
    }

    @Synchronized fun find(scope: String, requestId: String): TxnRecord? = records[scope to requestId]

    @Synchronized fun last(scope: String): TxnRecord? = records.values.lastOrNull { it.scope == scope }

    @Synchronized fun all(): List<TxnRecord> = records.values.toList()

    @Synchronized fun put(record: TxnRecord) {
        val key = record.scope to record.info.requestId
        store.put(record)
        records[key] = record        // an existing key keeps its place: iteration order = acceptance order
        prune()
    }

    /** Drops the oldest FINAL records beyond [keep]; never one whose outcome is still open. */
    private fun prune() {
        val excess = records.size - keep
        if (excess <= 0) return
        val old = records.entries.filter { it.value.isFinal }.take(excess).map { it.key }
        store.remove(old)
        old.forEach { records.remove(it) }
    }
}
