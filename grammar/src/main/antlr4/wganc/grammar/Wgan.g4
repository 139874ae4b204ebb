// The .wgan language. Alternatives are labelled and children named; there are no actions.
// The lexer is permissive (a catch-all token), so every character reaches the parser and every
// mistake gets a positioned diagnostic from the front end (wganc.syntax / wganc.diag).
grammar Wgan;

file
  : header=modelDecl decls+=decl* EOF
  ;

modelDecl
  : MODEL name=IDENT
  ;

decl
  : DATA name=IDENT ':' kind=IDENT? shape (',' labels=dataLabels)? '=' source=call scaling? # dataDecl
  | NOISE name=IDENT ':' kind=IDENT? shape '~' (dist=call | bare=IDENT)                # noiseDecl
  | NETWORK name=IDENT '(' param=IDENT ':' inShape=shape (',' extra+=networkInput)* ')' '->' outShape=shape
      '{' layers+=layer* '}'                                                           # networkDecl
  | BLOCK name=IDENT ('(' (params+=IDENT (',' params+=IDENT)*)? ')')?
      '{' layers+=layer* '}'                                                           # blockDecl
  | TRAIN options+=option (',' options+=option)* '{' updates+=update* '}'              # trainDecl
  ;

// `, y: class[10]`: the labels read with the images, one-hot
dataLabels
  : name=IDENT ':' kind=IDENT shape
  ;

// `, y: [10]`: a network input after the first, joined to the layers' value by `concat y`
networkInput
  : name=IDENT ':' shape
  ;

scaling
  : SCALED TO '[' lo=signedNumber ',' hi=signedNumber ']'
  ;

shape
  : '[' (dims+=INT (',' dims+=INT)*)? ']'
  ;

layer
  : RESIDUAL branch=layerGroup (SHORTCUT shortcut=layerGroup)? ';'?                   # residualLayer
  | CONCAT branches+=layerGroup+ ';'?                                                  # concatLayer
  | CONCAT input=IDENT ';'?                                                            # concatInputLayer
  | kind=IDENT args+=layerArg* ';'?                                                    # plainLayer
  ;

layerGroup
  : '{' layers+=layer* '}'
  ;

layerArg
  : key=IDENT '=' value                                                                # namedLayerArg
  | positional                                                                         # positionalLayerArg
  ;

positional
  : signedNumber                                                                       # numberPositional
  | list                                                                               # listPositional
  | STRING                                                                             # stringPositional
  ;

value
  : signedNumber                                                                       # numberValue
  | list                                                                               # listValue
  | STRING                                                                             # stringValue
  | call                                                                               # callValue
  | IDENT                                                                              # identValue
  ;

list
  : '[' (items+=value (',' items+=value)*)? ']'
  ;

call
  : name=IDENT '(' (args+=callArg (',' args+=callArg)*)? ')'
  ;

callArg
  : (key=IDENT '=')? value
  ;

signedNumber
  : sign='-'? (INT | FLOAT)
  ;

option
  : key=IDENT amount=signedNumber
  ;

update
  : role=(CRITIC | GENERATOR) selections+=selection (',' selections+=selection)*
      WITH optimizer=call (',' count=INT PER per=GENERATOR stepWord=IDENT)?
      '{' body '}'
  ;

selection
  : net=IDENT ('.' part=IDENT)?
  ;

body
  : phases+=phase+                                                                     # phasedBody
  | stmts+=stmt*                                                                       # plainBody
  ;

phase
  : UPDATE name=IDENT options+=option* '{' stmts+=stmt* '}'
  ;

stmt
  : name=IDENT '=' expr ';'?                                                           # letStmt
  | name=IDENT '~' dist=sampleSource sampleShape? ';'?                                 # sampleStmt
  ;

sampleSource
  : call                                                                               # distSource
  | IDENT                                                                              # noiseSource
  ;

sampleShape
  : PER what=IDENT                                                                     # perShape
  | LIKE expr                                                                          # likeShape
  | ':' shape                                                                          # explicitShape
  ;

expr
  : '(' inner=expr ')'                                                                 # parenExpr
  | callee=IDENT '(' (args+=exprArg (',' args+=exprArg)*)? ')'                         # callExpr
  | '[' (items+=expr (',' items+=expr)*)? ']'                                          # listExpr
  | IDENT                                                                              # nameExpr
  | (INT | FLOAT)                                                                      # numberExpr
  | <assoc=right> left=expr op='^' right=expr                                          # powerExpr
  | op=('-' | '+') operand=expr                                                        # unaryExpr
  | left=expr op=('*' | '/') right=expr                                                # mulExpr
  | left=expr op=('+' | '-') right=expr                                                # addExpr
  ;

exprArg
  : (key=IDENT '=')? expr
  ;

MODEL     : 'model' ;
DATA      : 'data' ;
NOISE     : 'noise' ;
NETWORK   : 'network' ;
TRAIN     : 'train' ;
CRITIC    : 'critic' ;
GENERATOR : 'generator' ;
WITH      : 'with' ;
UPDATE    : 'update' ;
PER       : 'per' ;
LIKE      : 'like' ;
SCALED    : 'scaled' ;
TO        : 'to' ;
BLOCK     : 'block' ;
RESIDUAL  : 'residual' ;
SHORTCUT  : 'shortcut' ;
CONCAT    : 'concat' ;

IDENT  : [a-zA-Z_] [a-zA-Z_0-9]* ;
FLOAT  : [0-9]+ '.' [0-9]* EXP? | '.' [0-9]+ EXP? | [0-9]+ EXP ;
INT    : [0-9]+ ;
fragment EXP : [eE] [+-]? [0-9]+ ;
STRING : '"' ~["\r\n]* '"' ;
UNTERMINATED_STRING : '"' ~["\r\n]* ;

LINE_COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
WS           : [ \t\r\n\f]+ -> skip ;

COLON  : ':' ;
SEMI   : ';' ;
COMMA  : ',' ;
DOT    : '.' ;
EQ     : '=' ;
TILDE  : '~' ;
ARROW  : '->' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
LBRACE : '{' ;
RBRACE : '}' ;
PLUS   : '+' ;
MINUS  : '-' ;
STAR   : '*' ;
SLASH  : '/' ;
CARET  : '^' ;

ERROR_CHAR : . ;
