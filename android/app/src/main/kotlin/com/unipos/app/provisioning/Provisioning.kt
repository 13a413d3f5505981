package com.unipos.app.provisioning

import android.content.res.Resources
import android.os.Bundle
import com.unipos.app.R
import com.unipos.core.ffi.HostEndpoint
import com.unipos.core.ffi.MacScheme
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.PosException
import com.unipos.core.ffi.ProvisionedKey
import com.unipos.core.ffi.checkPosConfig
import com.unipos.core.ffi.errorReason
import com.unipos.core.ffi.TlsPin
import org.json.JSONException
import org.json.JSONObject
import org.json.JSONTokener

/**
 * One setting of the acquirer profile: its managed-configuration key (res/xml/app_restrictions.xml)
 * and its title, the name every error message uses.
 */
enum class Field(val key: String, val title: Int) {
    POSP_ADDRESSES("posp_addresses", R.string.field_posp_addresses),
    POSP_TLS("posp_tls", R.string.field_posp_tls),
    POSP_SERVER_NAME("posp_server_name", R.string.field_posp_server_name),
    POSP_CA_PEM("posp_ca_pem", R.string.field_posp_ca_pem),
    QR_GATEWAY_URL("qr_gateway_url", R.string.field_qr_gateway_url),
    QR_GATEWAY_SERVER_NAME("qr_gateway_server_name", R.string.field_qr_gateway_server_name),
    QR_GATEWAY_CA_PEM("qr_gateway_ca_pem", R.string.field_qr_gateway_ca_pem),
    QR_KEY("qr_key", R.string.field_qr_key),
    TERMINAL_ID("terminal_id", R.string.field_terminal_id),
    MERCHANT_ID("merchant_id", R.string.field_merchant_id),
    MERCHANT_NAME("merchant_name", R.string.field_merchant_name),
    CONNECT_TIMEOUT_MS("connect_timeout_ms", R.string.field_connect_timeout_ms),
    RESPONSE_TIMEOUT_MS("response_timeout_ms", R.string.field_response_timeout_ms),
    REVERSAL_RETRIES("reversal_retries", R.string.field_reversal_retries),
    MAC_SCHEME("mac_scheme", R.string.field_mac_scheme),
    RECEIPT_WIDTH("receipt_width", R.string.field_receipt_width),
    AUTO_SETTLEMENT_TIME("auto_settlement_time", R.string.field_auto_settlement_time),
    BATCH_LIMIT("batch_limit", R.string.field_batch_limit),
    ACQUIRER_PROFILE_JSON("acquirer_profile_json", R.string.field_acquirer_profile_json),
    ALLOWED_CALLERS("allowed_callers", R.string.field_allowed_callers);

    companion object {
        fun byKey(key: String): Field? = values().firstOrNull { it.key == key }
    }
}

/** Why a value was refused: a message resource and its arguments. */
class Problem(val message: Int, vararg val args: Any)

/** A refused value, named by its field. */
data class FieldError(val field: Field, val problem: Problem) {
    fun message(res: Resources): String =
        res.getString(R.string.provisioning_error, res.getString(field.title), res.getString(problem.message, *problem.args))
}

/**
 * The input of provisioning: raw values by field, as managed configuration delivers them (a
 * Bundle of strings, integers and booleans) or as a setup screen collects them (strings). Parsed
 * and validated in ONE place, [validate], for every source.
 */
class Provisioning(val values: Map<Field, Any>) {

    /** Every field's value as stored (strings, numbers, booleans), for persistence. */
    fun toJson(): JSONObject = JSONObject().apply { values.forEach { (f, v) -> put(f.key, v) } }

    /** Validates everything; nothing is half-valid: either a whole [AcquirerProfile] or every error. */
    fun validate(): Validation = Validator(values).run()

    companion object {
        /** From managed configuration; unknown keys are ignored, empty strings mean "not set". */
        fun fromBundle(bundle: Bundle): Provisioning {
            val map = LinkedHashMap<Field, Any>()
            for (key in bundle.keySet()) {
                val field = Field.byKey(key) ?: continue
                @Suppress("DEPRECATION")
                val v = bundle.get(key) ?: continue
                if (v is String && v.trim().isEmpty()) continue
                map[field] = v
            }
            return Provisioning(map)
        }

        fun fromJson(json: JSONObject): Provisioning {
            val map = LinkedHashMap<Field, Any>()
            for (key in json.keys()) Field.byKey(key)?.let { f -> map[f] = json.get(key) }
            return Provisioning(map)
        }

        fun of(vararg pairs: Pair<Field, Any>) = Provisioning(linkedMapOf(*pairs))
    }
}

sealed class Validation {
    data class Valid(val profile: AcquirerProfile) : Validation()
    data class Invalid(val errors: List<FieldError>) : Validation()
}

/** TLS of an endpoint: the name in the server certificate and the pinned CA. */
data class TlsSettings(val serverName: String, val caPem: String)

/**
 * A validated acquirer profile. [profileJson] is the protocol profile (docs/protocol-profile.md),
 * checked by the core itself; the timeouts, retries and MAC scheme, when set, override it (`null`:
 * the profile's); so does [batchLimit] (the transactions a batch may hold before the terminal
 * asks for settlement).
 */
data class AcquirerProfile(
    val pospAddresses: List<String>,
    val pospTls: TlsSettings?,
    val qrGatewayAddress: String?,
    val qrGatewayTls: TlsSettings?,
    /** The terminal's QR gateway key as the acquirer provisions it (under the TMK, with its check value). */
    val qrKey: ProvisionedKey?,
    val terminalId: String,
    val merchantId: String,
    val merchantName: String,
    val connectTimeoutMs: Long?,
    val responseTimeoutMs: Long?,
    val reversalRetries: Int?,
    val macScheme: MacScheme?,
    val receiptWidth: Int,
    val autoSettlement: String?,
    val batchLimit: Int?,
    val profileJson: String?,
    val allowedCallers: String,
) {
    /** The core's configuration. The POSP list goes through as primary + fallbacks. */
    fun toPosConfig(softwareTmkHex: String?): PosConfig = PosConfig(
        terminalId = terminalId,
        merchantId = merchantId,
        posp = HostEndpoint(pospAddresses.first(), pospTls?.let { TlsPin(it.serverName, it.caPem) }, pospAddresses.drop(1)),
        merchantName = merchantName,
        operator = "001",
        qrGateway = qrGatewayAddress?.let { a -> HostEndpoint(a, qrGatewayTls?.let { TlsPin(it.serverName, it.caPem) }, emptyList()) },
        profileJson = profileJson,
        qrKey = qrKey,
        connectTimeoutMs = connectTimeoutMs,
        responseTimeoutMs = responseTimeoutMs,
        reversalRetries = reversalRetries,
        macScheme = macScheme,
        batchLimit = batchLimit,
        autoSettlement = autoSettlement,
        receiptWidth = receiptWidth,
        softwareTmkHex = softwareTmkHex,
    )
}

private class Validator(private val values: Map<Field, Any>) {
    private val errors = ArrayList<FieldError>()

    private fun fail(field: Field, message: Int, vararg args: Any): Nothing? {
        errors += FieldError(field, Problem(message, *args))
        return null
    }

    private fun string(field: Field): String? = when (val v = values[field]) {
        null -> null
        is String -> v.trim().takeIf { it.isNotEmpty() }
        is Number, is Boolean -> v.toString()
        else -> fail(field, R.string.problem_wrong_type)
    }

    private fun required(field: Field): String? =
        string(field) ?: if (errors.any { it.field == field }) null else fail(field, R.string.problem_required)

    /** An integer in `min..max`; `default` when not set (`null`: the protocol profile's). */
    private fun int(field: Field, default: Int?, min: Int, max: Int): Int? {
        val v = values[field] ?: return default
        val n = when (v) {
            is Int -> v
            is Long -> if (v in Int.MIN_VALUE..Int.MAX_VALUE) v.toInt() else null
            is String -> v.trim().toIntOrNull() ?: return fail(field, R.string.problem_number)
            else -> return fail(field, R.string.problem_number)
        } ?: return fail(field, R.string.problem_range, min, max)
        return if (n in min..max) n else fail(field, R.string.problem_range, min, max)
    }

    private fun bool(field: Field): Boolean? = when (val v = values[field]) {
        null -> false
        is Boolean -> v
        is String -> when (v.trim().lowercase()) {
            "true", "1", "yes" -> true
            "false", "0", "no", "" -> false
            else -> fail(field, R.string.problem_wrong_type)
        }
        else -> fail(field, R.string.problem_wrong_type)
    }

    private fun id(field: Field, length: Int): String? {
        val v = required(field) ?: return null
        if (v.length != length) return fail(field, R.string.problem_exact_length, length)
        if (!v.all { it in '0'..'9' || it in 'A'..'Z' || it in 'a'..'z' }) return fail(field, R.string.problem_alphanumeric)
        return v
    }

    private fun pem(field: Field): String? {
        val v = string(field) ?: return null
        val ok = v.contains("-----BEGIN CERTIFICATE-----") && v.contains("-----END CERTIFICATE-----")
        return if (ok) v else fail(field, R.string.problem_pem)
    }

    private fun serverName(field: Field, fallback: String?): String? {
        val v = string(field) ?: return fallback
        return if (Addresses.isHostName(v) || Addresses.isIpLiteral(v)) v else fail(field, R.string.problem_server_name)
    }

    fun run(): Validation {
        val pospText = required(Field.POSP_ADDRESSES)
        val posp = pospText?.let { text ->
            val list = text.split(',', '\n', ';').map { it.trim() }.filter { it.isNotEmpty() }
            val bad = list.firstOrNull { !Addresses.isHostPort(it) }
            when {
                list.isEmpty() -> fail(Field.POSP_ADDRESSES, R.string.problem_required)
                bad != null -> fail(Field.POSP_ADDRESSES, R.string.problem_address, bad)
                else -> list
            }
        }
        val tls = bool(Field.POSP_TLS)
        val pospCa = pem(Field.POSP_CA_PEM)
        val pospServer = serverName(Field.POSP_SERVER_NAME, posp?.firstOrNull()?.let(Addresses::hostOf))
        if (tls == true && pospCa == null && errors.none { it.field == Field.POSP_CA_PEM }) {
            fail(Field.POSP_CA_PEM, R.string.problem_tls_needs_ca)
        }

        val qrUrl = string(Field.QR_GATEWAY_URL)
        val qrAddress = qrUrl?.let { Addresses.fromHttpsUrl(it) ?: fail(Field.QR_GATEWAY_URL, R.string.problem_url) }
        val qrCa = pem(Field.QR_GATEWAY_CA_PEM)
        val qrServer = serverName(Field.QR_GATEWAY_SERVER_NAME, qrAddress?.let(Addresses::hostOf))
        if (qrAddress != null && qrCa == null && errors.none { it.field == Field.QR_GATEWAY_CA_PEM }) {
            fail(Field.QR_GATEWAY_CA_PEM, R.string.problem_tls_needs_ca)
        }

        val qrKey = string(Field.QR_KEY)?.let { text ->
            val m = Regex("""((?:[0-9A-Fa-f]{16}){1,3}):((?:[0-9A-Fa-f]{2}){1,8})""").matchEntire(text)
            if (m != null) ProvisionedKey(Hex.decode(m.groupValues[1]), Hex.decode(m.groupValues[2]))
            else fail(Field.QR_KEY, R.string.problem_wrapped_key)
        }

        val terminalId = id(Field.TERMINAL_ID, 8)
        val merchantId = id(Field.MERCHANT_ID, 15)
        val merchantName = string(Field.MERCHANT_NAME)?.let { if (it.length <= 40) it else fail(Field.MERCHANT_NAME, R.string.problem_too_long, 40) }
        val connect = int(Field.CONNECT_TIMEOUT_MS, null, 1_000, 60_000)
        val response = int(Field.RESPONSE_TIMEOUT_MS, null, 1_000, 180_000)
        val retries = int(Field.REVERSAL_RETRIES, null, 1, 10)
        val mac = when (string(Field.MAC_SCHEME)?.lowercase()) {
            null -> null
            "cup_ecb" -> MacScheme.CUP_ECB
            "x919" -> MacScheme.X919
            else -> fail(Field.MAC_SCHEME, R.string.problem_choice, "cup_ecb, x919")
        }
        val width = int(Field.RECEIPT_WIDTH, 32, 24, 64)
        val settleAt = string(Field.AUTO_SETTLEMENT_TIME)?.let { t ->
            val m = Regex("""([01]\d|2[0-3]):([0-5]\d)""").matchEntire(t)
            if (m != null) t else fail(Field.AUTO_SETTLEMENT_TIME, R.string.problem_time)
        }
        val batchLimit = int(Field.BATCH_LIMIT, null, 1, 999)
        val profileJson = string(Field.ACQUIRER_PROFILE_JSON)?.let { text ->
            val parsed = try { JSONTokener(text).nextValue() } catch (e: JSONException) { null }
            if (parsed is JSONObject) text else fail(Field.ACQUIRER_PROFILE_JSON, R.string.problem_json)
        }
        val callers = string(Field.ALLOWED_CALLERS)?.let { text ->
            val badLine = text.lines().withIndex().firstOrNull { (_, line) ->
                val l = line.substringBefore('#').trim()
                l.isNotEmpty() && !(ALLOW_LINE.matches(l) &&
                    (!l.contains(';') || com.unipos.app.policy.AllowList.parseCapabilities(l.substringAfter(';')) != null))
            }
            if (badLine == null) text else fail(Field.ALLOWED_CALLERS, R.string.problem_allow_line, badLine.index + 1)
        } ?: ""

        if (errors.isNotEmpty()) return Validation.Invalid(errors.toList())
        val profile = AcquirerProfile(
                pospAddresses = posp!!,
                pospTls = if (tls == true) TlsSettings(pospServer!!, pospCa!!) else null,
                qrGatewayAddress = qrAddress,
                qrGatewayTls = qrAddress?.let { TlsSettings(qrServer!!, qrCa!!) },
                qrKey = qrKey,
                terminalId = terminalId!!,
                merchantId = merchantId!!,
                merchantName = merchantName ?: "",
                connectTimeoutMs = connect?.toLong(),
                responseTimeoutMs = response?.toLong(),
                reversalRetries = retries,
                macScheme = mac,
                receiptWidth = width!!,
                autoSettlement = settleAt,
                batchLimit = batchLimit,
                profileJson = profileJson,
                allowedCallers = callers,
            )
        // The core checks the whole configuration as it would at open (the protocol profile
        // above all): one set of rules, in Rust.
        return when (val refused = CoreCheck.refusal(profile.toPosConfig(null))) {
            null -> Validation.Valid(profile)
            else -> Validation.Invalid(listOf(refused))
        }
    }
}

/** The core's own check of a configuration ([checkPosConfig]), its refusal named by field. */
internal object CoreCheck {
    fun refusal(config: PosConfig): FieldError? = try {
        checkPosConfig(config)
        null
    } catch (e: PosException) {
        val reason = errorReason(e)
        val field = when {
            reason.startsWith("profileJson") -> Field.ACQUIRER_PROFILE_JSON
            reason.startsWith("connectTimeoutMs") -> Field.CONNECT_TIMEOUT_MS
            reason.startsWith("responseTimeoutMs") -> Field.RESPONSE_TIMEOUT_MS
            reason.startsWith("reversalRetries") -> Field.REVERSAL_RETRIES
            reason.startsWith("terminalId") -> Field.TERMINAL_ID
            reason.startsWith("merchantId") -> Field.MERCHANT_ID
            reason.startsWith("qrGateway") -> Field.QR_GATEWAY_URL
            reason.startsWith("qrKey") -> Field.QR_KEY
            reason.startsWith("receiptWidth") -> Field.RECEIPT_WIDTH
            else -> Field.POSP_ADDRESSES
        }
        FieldError(field, Problem(R.string.problem_refused_by_core, reason.substringAfter(": ")))
    }
}

internal object Hex {
    fun decode(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
    fun encode(b: ByteArray): String = b.joinToString("") { "%02X".format(it.toInt() and 0xFF) }
}

/**
 * Address syntax only: host names are NOT resolved here (the core resolves them at each
 * connection, so a DNS change or failover needs no re-provisioning).
 */
/**
 * One allow-list line: `package=DIGEST[,DIGEST...][;capability[,capability...]]`, a digest being 64
 * hex digits, optionally in keytool's colon-separated pairs (see [com.unipos.app.policy.AllowList]).
 */
private val DIGEST = """[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}"""
internal val ALLOW_LINE = Regex("""[A-Za-z][\w.]*=$DIGEST(,$DIGEST)*(;[A-Za-z_-]+(,[A-Za-z_-]+)*)?""")

object Addresses {
    private val label = Regex("""[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?""")

    fun isHostName(h: String): Boolean =
        h.length in 1..253 && h.split('.').all { label.matches(it) } && !h.all { it.isDigit() || it == '.' }

    fun isIpLiteral(h: String): Boolean = isIpv4(h) || (h.startsWith('[') && h.endsWith(']') && h.length > 2 &&
        h.substring(1, h.length - 1).all { it.isDigit() || it in 'a'..'f' || it in 'A'..'F' || it == ':' || it == '.' })

    private fun isIpv4(h: String): Boolean {
        val parts = h.split('.')
        return parts.size == 4 && parts.all { p -> p.isNotEmpty() && p.length <= 3 && p.all(Char::isDigit) && p.toInt() <= 255 }
    }

    fun isHostPort(a: String): Boolean {
        val i = a.lastIndexOf(':')
        if (i <= 0) return false
        val host = a.substring(0, i)
        val port = a.substring(i + 1).toIntOrNull() ?: return false
        return port in 1..65535 && (isHostName(host) || isIpLiteral(host))
    }

    fun hostOf(a: String): String = a.substring(0, a.lastIndexOf(':')).removePrefix("[").removeSuffix("]")

    /** `https://host[:port][/]` → `host:port` (443 by default); null for anything else. */
    fun fromHttpsUrl(url: String): String? {
        if (!url.startsWith("https://", ignoreCase = true)) return null
        val rest = url.substring("https://".length).removeSuffix("/")
        if (rest.isEmpty() || rest.contains('/') || rest.contains('@') || rest.contains('?')) return null
        val withPort = if (rest.startsWith('[')) {
            if (rest.endsWith(']')) "$rest:443" else rest
        } else if (rest.contains(':')) rest else "$rest:443"
        return withPort.takeIf(::isHostPort)
    }
}
