package com.unipos.app.provisioning

/** The settings in force as the setup screen edits them: every field as text. */
fun AcquirerProfile.toInput(): Map<Field, String> = linkedMapOf(
    Field.POSP_ADDRESSES to pospAddresses.joinToString(", "),
    Field.POSP_TLS to (pospTls != null).toString(),
    Field.POSP_SERVER_NAME to pospTls?.serverName.orEmpty(),
    Field.POSP_CA_PEM to pospTls?.caPem.orEmpty(),
    Field.QR_GATEWAY_URL to qrGatewayAddress?.let { "https://$it" }.orEmpty(),
    Field.QR_GATEWAY_SERVER_NAME to qrGatewayTls?.serverName.orEmpty(),
    Field.QR_GATEWAY_CA_PEM to qrGatewayTls?.caPem.orEmpty(),
    // Wrapped under the TMK, with its check value: nothing secret in clear.
    Field.QR_KEY to qrKey?.let { "${Hex.encode(it.ciphertext)}:${Hex.encode(it.checkValue)}" }.orEmpty(),
    Field.TERMINAL_ID to terminalId,
    Field.MERCHANT_ID to merchantId,
    Field.MERCHANT_NAME to merchantName,
    Field.CONNECT_TIMEOUT_MS to connectTimeoutMs?.toString().orEmpty(),
    Field.RESPONSE_TIMEOUT_MS to responseTimeoutMs?.toString().orEmpty(),
    Field.REVERSAL_RETRIES to reversalRetries?.toString().orEmpty(),
    Field.MAC_SCHEME to macScheme?.name?.lowercase().orEmpty(),
    Field.RECEIPT_WIDTH to receiptWidth.toString(),
    Field.AUTO_SETTLEMENT_TIME to autoSettlement.orEmpty(),
    Field.BATCH_LIMIT to batchLimit?.toString().orEmpty(),
    Field.ACQUIRER_PROFILE_JSON to profileJson.orEmpty(),
    Field.ALLOWED_CALLERS to allowedCallers,
)
