# Turn a text file into a C string: -DIN=file -DOUT=file.c
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
file(WRITE ${OUT} "const char kmm_demo_script[] = {${content} 0x00};\n")
