int secscore_placeholder(void){return 0;}
