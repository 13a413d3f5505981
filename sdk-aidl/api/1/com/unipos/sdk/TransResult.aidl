package com.unipos.sdk;
parcelable TransResult {
  int version = 1;
  String requestId;
  int transType;
  int state;
  int errorCode;
  String message;
  String responseCode;
  long amount;
  long approvedAmount;
  int channel;
  String traceNo;
  String referenceNo;
  String authCode;
  String batchNo;
  String maskedPan;
  String qrOrderNo;
  String channelTradeNo;
  String orderNo;
  String merchantId;
  String terminalId;
  String transTime;
  long balance = -1;
  int settleCount;
  long settleAmount;
  boolean settleBalanced;
  int printErrorCode;
}
