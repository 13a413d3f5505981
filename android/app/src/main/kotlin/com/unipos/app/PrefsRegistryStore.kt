package com.unipos.app

import android.content.Context
import android.os.Bundle
import com.unipos.app.txn.RegistryStore
import com.unipos.app.txn.RequestInfo
import com.unipos.app.txn.TxnRecord
import com.unipos.sdk.BundleCodec
import org.json.JSONObject

/**
 * [RegistryStore] in a private SharedPreferences file, one JSON value per record, written with
 * commit() (synchronous: the record is on disk before the request is dispatched). Results are
 * stored through the contract's own Bundle codec, so the stored form is the Intent result form.
 */
class PrefsRegistryStore(context: Context) : RegistryStore {
    private val prefs = context.getSharedPreferences("unipos.registry", Context.MODE_PRIVATE)

    override fun loadAll(): List<TxnRecord> = prefs.all.values.mapNotNull { v ->
        (v as? String)?.let { runCatching { decode(JSONObject(it)) }.getOrNull() }
    }

    override fun put(record: TxnRecord) {
        check(prefs.edit().putString(key(record.scope, record.info.requestId), encode(record).toString()).commit()) {
            "cannot persist request ${record.info.requestId}"
        }
    }

    override fun remove(keys: Collection<Pair<String, String>>) {
        val e = prefs.edit()
        keys.forEach { (scope, id) -> e.remove(key(scope, id)) }
        e.commit()
    }

    private fun key(scope: String, id: String) = "$scope\n$id"

    private fun encode(r: TxnRecord) = JSONObject().apply {
        put("scope", r.scope); put("requestId", r.info.requestId); put("transType", r.info.transType)
        put("amount", r.info.amount); put("orderNo", r.info.orderNo ?: "")
        put("engineId", r.engineId); put("fingerprint", r.fingerprint); put("acceptedAt", r.acceptedAt)
        r.result?.let { res ->
            val b = BundleCodec.resultToBundle(res)
            put("result", JSONObject().apply { for (k in b.keySet()) put(k, bundleValue(b, k)) })
        }
    }

    @Suppress("DEPRECATION")
    private fun bundleValue(b: Bundle, k: String): Any? = b.get(k)

    private fun decode(o: JSONObject): TxnRecord {
        val result = o.optJSONObject("result")?.let { j ->
            val b = Bundle()
            for (k in j.keys()) when (val v = j.get(k)) {
                is Boolean -> b.putBoolean(k, v)
                is Int -> b.putInt(k, v)
                is Long -> b.putLong(k, v)
                is Number -> b.putLong(k, v.toLong())
                else -> b.putString(k, v.toString())
            }
            BundleCodec.resultFromBundle(b)
        }
        return TxnRecord(
            scope = o.getString("scope"),
            info = RequestInfo(o.getString("requestId"), o.getInt("transType"), o.getLong("amount"),
                o.optString("orderNo").takeIf { it.isNotEmpty() }),
            engineId = o.getString("engineId"),
            fingerprint = o.getString("fingerprint"),
            acceptedAt = o.getLong("acceptedAt"),
            result = result,
        )
    }
}
