export * from './urgency';
export * from './pathology';
export * from './notation';
export * from './dentition';
export * from './regions';
export * from './follow-up';
